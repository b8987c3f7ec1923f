package io.switchboard.bench.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** A batch plan written on the command line becomes the rollout API's strategy object. */
class BatchPlanTest {

  @Test
  void eachPlanBecomesTheStrategyTheApiTakes() {
    assertEquals("{\"type\":\"all\"}", BatchPlan.strategy("all").toString());
    assertEquals(
        "{\"type\":\"fixed\",\"batch_size\":250}", BatchPlan.strategy("fixed:250").toString());
    assertEquals(
        "{\"type\":\"percentage\",\"percent\":10}",
        BatchPlan.strategy(" percentage:10 ").toString());
    assertEquals("{\"type\":\"canary\",\"canary\":1}", BatchPlan.strategy("canary:1").toString());
    assertEquals(
        "{\"type\":\"canary\",\"canary\":5,\"factor\":3}",
        BatchPlan.strategy("canary:5:3").toString());
  }

  @Test
  void anythingElseIsRefusedWithTheFormsThatWork() {
    for (String plan :
        new String[] {
          "", "fixed", "fixed:-1", "percentage:ten", "all:1", "fixed:1:2", "batches:3"
        }) {
      IllegalArgumentException refused =
          assertThrows(IllegalArgumentException.class, () -> BatchPlan.strategy(plan), plan);
      assertEquals(
          "batch plan "
              + plan
              + ": expected all, fixed:<batch size>, percentage:<percent> or canary:<first batch>[:<factor>]",
          refused.getMessage());
    }
  }
}
