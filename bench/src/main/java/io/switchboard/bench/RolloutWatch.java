package io.switchboard.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One rollout as the bench saw it by reading {@code GET /api/rollouts/{id}} again and again (the
 * API keeps no time per batch): a batch was current from the first reading that showed it (the
 * first batch: from the call that created the rollout) until the first that showed the next
 * batch, or the rollout no longer running. Times are as fine as the readings are frequent.
 */
final class RolloutWatch {

  /** A batch the rollout has left: current from {@code fromNanos} until {@code untilNanos}. */
  record BatchSpan(int batch, long fromNanos, long untilNanos) {
    Duration duration() {
      return Duration.ofNanos(untilNanos - fromNanos);
    }
  }

  private final long createdNanos;
  private final SortedMap<Integer, Long> firstSeen = new TreeMap<>();
  private String state = "RUNNING";
  private String detail;
  private Long endedNanos;

  /** {@code createdNanos}: when the call that created the rollout was made. */
  RolloutWatch(long createdNanos) {
    this.createdNanos = createdNanos;
    firstSeen.put(0, createdNanos);
  }

  /** One reading taken at {@code nanos}: the rollout's state, its detail and its current batch (from 0). */
  void observe(long nanos, String state, String detail, int currentBatch) {
    if (endedNanos != null) {
      return;
    }
    firstSeen.putIfAbsent(currentBatch, nanos);
    this.state = state;
    this.detail = detail;
    if (!"RUNNING".equals(state)) {
      endedNanos = nanos;
    }
  }

  /** Whether the last reading showed it running: moving along by itself. */
  boolean running() {
    return endedNanos == null;
  }

  String state() {
    return state;
  }

  /** The API's word on the state (why it paused ...), or null. */
  String detail() {
    return detail;
  }

  /** From the call until it was first seen COMPLETED; empty if it was not (yet). */
  Optional<Duration> completedAfter() {
    return "COMPLETED".equals(state) ? Optional.of(Duration.ofNanos(endedNanos - createdNanos)) : Optional.empty();
  }

  /** The batches the rollout has left, in order; a batch passed between two readings is not among them. */
  List<BatchSpan> batchesLeft() {
    List<BatchSpan> spans = new ArrayList<>();
    Map.Entry<Integer, Long> previous = null;
    for (Map.Entry<Integer, Long> seen : firstSeen.entrySet()) {
      if (previous != null && previous.getKey() + 1 == seen.getKey()) {
        spans.add(new BatchSpan(previous.getKey(), previous.getValue(), seen.getValue()));
      }
      previous = seen;
    }
    if (previous != null && endedNanos != null) {
      spans.add(new BatchSpan(previous.getKey(), previous.getValue(), endedNanos));
    }
    return spans;
  }
}
