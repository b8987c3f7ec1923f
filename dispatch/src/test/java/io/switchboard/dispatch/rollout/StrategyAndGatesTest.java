package io.switchboard.dispatch.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.persistence.rollouts.BatchProgress;
import java.util.List;
import org.junit.jupiter.api.Test;

class StrategyAndGatesTest {

  @Test
  void strategiesCutTargetsIntoBatches() {
    assertEquals(List.of(20), Strategy.ALL_AT_ONCE.batchSizes(20));
    assertEquals(List.of(5, 5, 5, 5), new Strategy("fixed", 5, null, null, null).batchSizes(20));
    assertEquals(List.of(5, 5, 2), new Strategy("fixed", 5, null, null, null).batchSizes(12));
    assertEquals(
        List.of(3, 3, 3, 1), new Strategy("percentage", null, 25, null, null).batchSizes(10));
    assertEquals(
        List.of(1, 2, 4, 8, 5), new Strategy("canary", null, null, 1, null).batchSizes(20));
    assertEquals(List.of(2, 6, 12), new Strategy("canary", null, null, 2, 3).batchSizes(20));
  }

  @Test
  void badStrategiesAndGatesSayWhy() {
    assertTrue(new Strategy("waves", null, null, null, null).problem().contains("strategy.type"));
    assertTrue(new Strategy(null, null, null, null, null).problem().contains("strategy.type"));
    assertTrue(new Strategy("fixed", 0, null, null, null).problem().contains("batch_size"));
    assertTrue(new Strategy("percentage", null, 101, null, null).problem().contains("percent"));
    assertTrue(new Strategy("canary", null, null, 1, 1).problem().contains("factor"));
    assertNull(new Strategy("canary", null, null, 1, null).problem());
    assertTrue(new Gates(1.5, null, null).problem().contains("between 0 and 1"));
  }

  @Test
  void gatesTripOnTheCurrentBatchWithDefaultsFilledIn() {
    Gates gates = new Gates(null, 0.5, null).orElse(new Gates(0.2, 0.2, 0.1));
    assertEquals(new Gates(0.2, 0.5, 0.1), gates);

    assertNull(gates.tripped(new BatchProgress(0, 10, 0, 8, 2, 0, 0, 0, 0)), "nothing failed yet");
    assertNull(
        gates.tripped(new BatchProgress(0, 10, 0, 0, 8, 2, 0, 5, 1)),
        "at the limits, not over them");
    assertTrue(
        gates
            .tripped(new BatchProgress(1, 10, 0, 0, 7, 2, 1, 0, 0))
            .contains("apply-failed ratio 30% of batch 2"));
    assertTrue(
        gates.tripped(new BatchProgress(0, 10, 0, 4, 6, 0, 0, 6, 0)).contains("disconnected"));
    assertTrue(gates.tripped(new BatchProgress(0, 10, 0, 0, 10, 0, 0, 0, 2)).contains("unhealthy"));
  }
}
