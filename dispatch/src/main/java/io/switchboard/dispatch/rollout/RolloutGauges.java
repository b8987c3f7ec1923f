package io.switchboard.dispatch.rollout;

import io.switchboard.observability.SwitchboardMetrics;
import io.switchboard.observability.TransientGauge;
import io.switchboard.persistence.rollouts.BatchProgress;
import io.switchboard.persistence.rollouts.Rollout;
import io.switchboard.persistence.rollouts.RolloutState;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The rollout progress series, labelled by rollout id, for the rollouts the driver saw running or
 * paused; only the driver (on the node it runs on) writes them.
 */
final class RolloutGauges {

  private static final String ROLLOUT = "rollout";
  private static final List<TransientGauge> ALL =
      List.of(
          SwitchboardMetrics.rolloutAgents(),
          SwitchboardMetrics.rolloutCurrentBatch(),
          SwitchboardMetrics.rolloutBatches(),
          SwitchboardMetrics.rolloutPaused());

  private RolloutGauges() {}

  /** Sets a rollout's series from its progress, summed over its batches. */
  static void report(Rollout rollout, List<BatchProgress> batches) {
    String id = rollout.id().toString();
    Map<String, Integer> byState =
        Map.of(
            "not-dispatched", batches.stream().mapToInt(BatchProgress::notDispatched).sum(),
            "open", batches.stream().mapToInt(BatchProgress::open).sum(),
            "applied", batches.stream().mapToInt(BatchProgress::applied).sum(),
            "failed", batches.stream().mapToInt(BatchProgress::failed).sum(),
            "expired", batches.stream().mapToInt(BatchProgress::expired).sum());
    byState.forEach(
        (state, agents) ->
            SwitchboardMetrics.rolloutAgents().set(Map.of(ROLLOUT, id, "state", state), agents));
    SwitchboardMetrics.rolloutCurrentBatch().set(Map.of(ROLLOUT, id), rollout.currentBatch());
    SwitchboardMetrics.rolloutBatches().set(Map.of(ROLLOUT, id), rollout.batchCount());
    SwitchboardMetrics.rolloutPaused()
        .set(Map.of(ROLLOUT, id), rollout.state() == RolloutState.PAUSED ? 1 : 0);
  }

  /**
   * Drops the series of every rollout not among {@code active} (it ended, or is no longer there).
   */
  static void retainOnly(Set<UUID> active) {
    Set<String> ids = active.stream().map(UUID::toString).collect(Collectors.toSet());
    ALL.forEach(gauge -> gauge.removeIf(labels -> !ids.contains(labels.get(ROLLOUT))));
  }
}
