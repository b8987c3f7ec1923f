package io.switchboard.bench.report;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One rollout as the bench saw it by reading {@code GET /api/rollouts/{id}} again and again, for
 * how long it took as the API reports it and batch by batch. The API keeps no time per batch, but a
 * running rollout's {@code updated_at} is when it moved to its current batch (nothing else changes
 * a running rollout's row), so each batch's span is the node's own time, however late a reading
 * came back; a batch passed between two readings is missed.
 */
public final class RolloutWatch {

  /**
   * A batch the rollout has left: current from {@code from} until {@code until}, by the node's
   * clock.
   */
  public record BatchSpan(int batch, Instant from, Instant until) {
    public Duration duration() {
      return Duration.between(from, until);
    }
  }

  private final long calledNanos;
  private final SortedMap<Integer, Instant> batchStarts = new TreeMap<>();
  private String state = "RUNNING";
  private String detail;
  private Long endedNanos;
  private Instant endedAt;

  /**
   * {@code calledNanos}: when the call that created it was made; {@code createdAt}: the API's
   * {@code created_at}.
   */
  RolloutWatch(long calledNanos, Instant createdAt) {
    this.calledNanos = calledNanos;
    batchStarts.put(0, createdAt);
  }

  /**
   * One reading, answered at {@code answeredNanos}: the rollout's state, its detail, its current
   * batch (from 0) and its {@code updated_at}.
   */
  void observe(
      long answeredNanos, String state, String detail, int currentBatch, Instant updatedAt) {
    if (endedNanos != null) {
      return;
    }
    this.state = state;
    this.detail = detail;
    if ("RUNNING".equals(state)) {
      if (currentBatch > 0) {
        batchStarts.putIfAbsent(currentBatch, updatedAt);
      }
    } else {
      endedNanos = answeredNanos;
      endedAt = updatedAt;
    }
  }

  /** Whether the last reading showed it running: moving along by itself. */
  boolean running() {
    return endedNanos == null;
  }

  public String state() {
    return state;
  }

  /** The API's word on the state (why it paused ...), or null. */
  String detail() {
    return detail;
  }

  /** From the call until an answer first showed it COMPLETED; empty if none did. */
  public Optional<Duration> completedAfter() {
    return completed() ? Optional.of(Duration.ofNanos(endedNanos - calledNanos)) : Optional.empty();
  }

  /** From {@code created_at} until COMPLETED, by the node's clock; empty if it did not complete. */
  public Optional<Duration> completedAfterByNode() {
    return completed()
        ? Optional.of(Duration.between(batchStarts.get(0), endedAt))
        : Optional.empty();
  }

  /** The batches it has left whose start and end the readings showed, in order. */
  public List<BatchSpan> batchesLeft() {
    List<BatchSpan> spans = new ArrayList<>();
    Map.Entry<Integer, Instant> previous = null;
    for (Map.Entry<Integer, Instant> start : batchStarts.entrySet()) {
      if (previous != null && previous.getKey() + 1 == start.getKey()) {
        spans.add(new BatchSpan(previous.getKey(), previous.getValue(), start.getValue()));
      }
      previous = start;
    }
    if (endedAt != null) {
      spans.add(new BatchSpan(previous.getKey(), previous.getValue(), endedAt));
    }
    return spans;
  }

  private boolean completed() {
    return "COMPLETED".equals(state);
  }
}
