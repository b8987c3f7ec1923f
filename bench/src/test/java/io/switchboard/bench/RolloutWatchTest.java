package io.switchboard.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Readings of a rollout become the time each batch was current and the time to COMPLETED. */
class RolloutWatchTest {

  private static final long MS = 1_000_000L;
  private static final long CALL = 50_000 * MS;

  @Test
  void eachBatchIsCurrentFromItsFirstReadingUntilTheNextBatchsAndTheLastUntilCompleted() {
    RolloutWatch watch = new RolloutWatch(CALL);
    watch.observe(CALL + 200 * MS, "RUNNING", null, 0);
    watch.observe(CALL + 4_000 * MS, "RUNNING", null, 0);
    watch.observe(CALL + 4_200 * MS, "RUNNING", null, 1);
    watch.observe(CALL + 8_100 * MS, "RUNNING", null, 1);
    watch.observe(CALL + 8_300 * MS, "COMPLETED", "every batch done", 1);

    assertFalse(watch.running());
    assertEquals(Optional.of(Duration.ofMillis(8_300)), watch.completedAfter());
    assertEquals(
        List.of(new RolloutWatch.BatchSpan(0, CALL, CALL + 4_200 * MS), new RolloutWatch.BatchSpan(1, CALL + 4_200 * MS, CALL + 8_300 * MS)),
        watch.batchesLeft());
    assertEquals(Duration.ofMillis(4_100), watch.batchesLeft().get(1).duration());
  }

  @Test
  void aRolloutStillRunningHasNoCompletionAndItsCurrentBatchIsNotLeft() {
    RolloutWatch watch = new RolloutWatch(CALL);
    watch.observe(CALL + 4_000 * MS, "RUNNING", null, 1);
    watch.observe(CALL + 9_000 * MS, "RUNNING", null, 1);

    assertTrue(watch.running());
    assertEquals(Optional.empty(), watch.completedAfter());
    assertEquals(List.of(new RolloutWatch.BatchSpan(0, CALL, CALL + 4_000 * MS)), watch.batchesLeft());
  }

  @Test
  void aPausedRolloutEndsTheWatchWithItsDetailAndNoCompletion() {
    RolloutWatch watch = new RolloutWatch(CALL);
    watch.observe(CALL + 3_000 * MS, "PAUSED", "paused: apply-failed ratio 50% of batch 1 is over the 20% gate", 0);
    watch.observe(CALL + 3_200 * MS, "RUNNING", null, 1);

    assertFalse(watch.running(), "readings after the rollout stopped running do not count");
    assertEquals("PAUSED", watch.state());
    assertEquals("paused: apply-failed ratio 50% of batch 1 is over the 20% gate", watch.detail());
    assertEquals(Optional.empty(), watch.completedAfter());
    assertEquals(List.of(new RolloutWatch.BatchSpan(0, CALL, CALL + 3_000 * MS)), watch.batchesLeft());
  }

  @Test
  void aBatchPassedBetweenTwoReadingsIsLeftOut() {
    RolloutWatch watch = new RolloutWatch(CALL);
    watch.observe(CALL + 4_000 * MS, "RUNNING", null, 2);
    watch.observe(CALL + 8_000 * MS, "COMPLETED", "every batch done", 2);

    assertEquals(List.of(new RolloutWatch.BatchSpan(2, CALL + 4_000 * MS, CALL + 8_000 * MS)), watch.batchesLeft());
  }
}
