package io.switchboard.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Readings of a rollout become the time to COMPLETED and, by the node's clock, the time each batch
 * was current.
 */
class RolloutWatchTest {

  private static final long MS = 1_000_000L;
  private static final long CALL = 50_000 * MS;
  private static final Instant CREATED = Instant.parse("2026-12-01T08:00:00Z");

  @Test
  void batchesAreTimedByTheNodesClockHoweverLateTheReadingsCameBack() {
    RolloutWatch watch = new RolloutWatch(CALL, CREATED);
    watch.observe(CALL + 200 * MS, "RUNNING", null, 0, CREATED);
    // Answered 3 s after the rollout moved to its second batch (a slow API); updated_at says when
    // it did.
    watch.observe(CALL + 7_000 * MS, "RUNNING", null, 1, at(4_000));
    watch.observe(CALL + 7_200 * MS, "RUNNING", null, 1, at(4_000));
    watch.observe(CALL + 8_500 * MS, "COMPLETED", "every batch done", 1, at(8_100));

    assertFalse(watch.running());
    assertEquals(
        Optional.of(Duration.ofMillis(8_500)), watch.completedAfter(), "until an answer showed it");
    assertEquals(Optional.of(Duration.ofMillis(8_100)), watch.completedAfterByNode());
    assertEquals(
        List.of(
            new RolloutWatch.BatchSpan(0, CREATED, at(4_000)),
            new RolloutWatch.BatchSpan(1, at(4_000), at(8_100))),
        watch.batchesLeft());
    assertEquals(Duration.ofMillis(4_100), watch.batchesLeft().get(1).duration());
  }

  @Test
  void aRolloutStillRunningHasNoCompletionAndItsCurrentBatchIsNotLeft() {
    RolloutWatch watch = new RolloutWatch(CALL, CREATED);
    watch.observe(CALL + 4_100 * MS, "RUNNING", null, 1, at(4_000));
    watch.observe(CALL + 9_000 * MS, "RUNNING", null, 1, at(4_000));

    assertTrue(watch.running());
    assertEquals(Optional.empty(), watch.completedAfter());
    assertEquals(Optional.empty(), watch.completedAfterByNode());
    assertEquals(List.of(new RolloutWatch.BatchSpan(0, CREATED, at(4_000))), watch.batchesLeft());
  }

  @Test
  void aPausedRolloutEndsTheWatchWithItsDetailAndNoCompletion() {
    RolloutWatch watch = new RolloutWatch(CALL, CREATED);
    watch.observe(
        CALL + 3_100 * MS,
        "PAUSED",
        "paused: apply-failed ratio 50% of batch 1 is over the 20% gate",
        0,
        at(3_000));
    watch.observe(CALL + 3_300 * MS, "RUNNING", null, 1, at(3_200));

    assertFalse(watch.running(), "readings after the rollout stopped running do not count");
    assertEquals("PAUSED", watch.state());
    assertEquals("paused: apply-failed ratio 50% of batch 1 is over the 20% gate", watch.detail());
    assertEquals(Optional.empty(), watch.completedAfter());
    assertEquals(List.of(new RolloutWatch.BatchSpan(0, CREATED, at(3_000))), watch.batchesLeft());
  }

  @Test
  void aBatchPassedBetweenTwoReadingsIsMissedWithTheOneBeforeIt() {
    RolloutWatch watch = new RolloutWatch(CALL, CREATED);
    watch.observe(CALL + 8_100 * MS, "RUNNING", null, 2, at(8_000));
    watch.observe(CALL + 12_100 * MS, "COMPLETED", "every batch done", 2, at(12_000));

    assertEquals(
        List.of(new RolloutWatch.BatchSpan(2, at(8_000), at(12_000))), watch.batchesLeft());
  }

  private static Instant at(long millisAfterCreation) {
    return CREATED.plusMillis(millisAfterCreation);
  }
}
