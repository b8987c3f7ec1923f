package io.switchboard.persistence.status;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * Settings of the status writer, from {@code switchboard.status-writer}.
 *
 * @param maxBatch rows per flush, and the pending count that starts a flush at once
 * @param flushInterval longest a change waits before a flush
 * @param retryBackoffMin first retry delay after a failed flush
 * @param retryBackoffMax longest retry delay
 * @param concurrentFlushes flushes in flight at once (each takes one pooled connection)
 * @param notReadyAfterFailures failed flushes in a row after which the node reports not ready
 * @param maxBatchBytes what one flush's rows hold at most (a flush takes at least one row)
 * @param maxPendingBytes what waiting statuses hold at most; past it (a long database outage), new
 *     statuses keep only the agent's liveness
 */
public record StatusWriterSettings(
    int maxBatch,
    Duration flushInterval,
    Duration retryBackoffMin,
    Duration retryBackoffMax,
    int concurrentFlushes,
    int notReadyAfterFailures,
    long maxBatchBytes,
    long maxPendingBytes) {

  public static StatusWriterSettings fromConfig(Config switchboard) {
    Config writer = switchboard.getConfig("status-writer");
    return new StatusWriterSettings(
        writer.getInt("max-batch"),
        writer.getDuration("flush-interval"),
        writer.getDuration("retry-backoff-min"),
        writer.getDuration("retry-backoff-max"),
        writer.getInt("concurrent-flushes"),
        writer.getInt("not-ready-after-failures"),
        writer.getBytes("max-batch-bytes"),
        writer.getBytes("max-pending-bytes"));
  }
}
