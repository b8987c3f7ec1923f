package io.switchboard.persistence;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Database calls made one key at a time by many callers, sent as few statements. A node that takes
 * on thousands of agents at once (its start, a connect storm, a failover, a fan-out) has as many
 * entities each reading or writing a row, and an API taking hundreds of commands a second as many
 * requests; a statement each queued them in the connection pool ahead of shard leases and status
 * writes, past the pool's acquire timeout. A call goes out at once while fewer than {@code
 * concurrency} statements are under way; calls arriving meanwhile wait and go out together when one
 * finishes, up to {@code maxBatch} keys per statement. So a quiet node makes one call at a time
 * with no delay, and a busy one a few large statements. With a concurrency of one, statements run
 * in the order their calls were made.
 *
 * @param <K> what a call names (an agent, a change to an envelope, an envelope to write)
 * @param <V> its answer; keys the statement leaves out of its answer get {@code absent}
 */
public final class BatchedCalls<K, V> {

  /** One statement for many keys; keys it has nothing for may be left out of the answer. */
  public interface Statement<K, V> extends Function<Set<K>, CompletionStage<Map<K, V>>> {}

  private record Waiting<K, V>(K key, CompletableFuture<V> result) {}

  private final Statement<K, V> statement;
  private final V absent;
  private final int concurrency;
  private final int maxBatch;
  private final ConcurrentLinkedQueue<Waiting<K, V>> waiting = new ConcurrentLinkedQueue<>();
  private final AtomicInteger underWay = new AtomicInteger();
  private final AtomicInteger waitingCount = new AtomicInteger();

  /**
   * Calls waiting at most; past this (a database away for long while calls keep coming) a call
   * fails at once, so that waiting calls cannot grow without bound.
   */
  public static final int MAX_WAITING = 100_000;

  public BatchedCalls(Statement<K, V> statement, V absent, int concurrency, int maxBatch) {
    this.statement = statement;
    this.absent = absent;
    this.concurrency = concurrency;
    this.maxBatch = maxBatch;
  }

  public CompletionStage<V> call(K key) {
    if (waitingCount.incrementAndGet() > MAX_WAITING) {
      waitingCount.decrementAndGet();
      return CompletableFuture.failedFuture(
          new IllegalStateException(
              MAX_WAITING + " calls already wait for the database; this one is not queued"));
    }
    CompletableFuture<V> result = new CompletableFuture<>();
    waiting.add(new Waiting<>(key, result));
    sendWaiting();
    return result;
  }

  /**
   * Sends batches while there is room. A caller adds itself before looking for room, and a finished
   * statement frees its room before looking for callers, so no call is left waiting unseen.
   */
  private void sendWaiting() {
    while (!waiting.isEmpty()) {
      if (underWay.incrementAndGet() > concurrency) {
        underWay.decrementAndGet();
        return;
      }
      List<Waiting<K, V>> batch = new ArrayList<>();
      for (Waiting<K, V> next; batch.size() < maxBatch && (next = waiting.poll()) != null; ) {
        batch.add(next);
        waitingCount.decrementAndGet();
      }
      if (batch.isEmpty()) {
        underWay.decrementAndGet();
        return;
      }
      send(batch);
    }
  }

  private void send(List<Waiting<K, V>> batch) {
    Set<K> keys = new LinkedHashSet<>();
    batch.forEach(call -> keys.add(call.key()));
    CompletionStage<Map<K, V>> answer;
    try {
      answer = statement.apply(keys);
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    answer.whenComplete(
        (found, failure) -> {
          underWay.decrementAndGet();
          for (Waiting<K, V> call : batch) {
            if (failure != null) {
              call.result().completeExceptionally(failure);
            } else {
              call.result().complete(found.getOrDefault(call.key(), absent));
            }
          }
          sendWaiting();
        });
  }
}
