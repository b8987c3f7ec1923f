package io.switchboard.dispatch.rollout;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.switchboard.persistence.rollouts.BatchProgress;

/**
 * Health gates of a rollout, judged over the current batch (its window is the time since the batch
 * started): the share of its agents whose apply failed (or never came before the deadline), that
 * are disconnected, or that report unhealthy. Past any limit the rollout pauses by itself.
 */
public record Gates(
    @JsonProperty("max_failed_ratio") Double maxFailedRatio,
    @JsonProperty("max_disconnected_ratio") Double maxDisconnectedRatio,
    @JsonProperty("max_unhealthy_ratio") Double maxUnhealthyRatio) {

  /** Missing limits taken from {@code defaults}. */
  public Gates orElse(Gates defaults) {
    return new Gates(
        maxFailedRatio == null ? defaults.maxFailedRatio() : maxFailedRatio,
        maxDisconnectedRatio == null ? defaults.maxDisconnectedRatio() : maxDisconnectedRatio,
        maxUnhealthyRatio == null ? defaults.maxUnhealthyRatio() : maxUnhealthyRatio);
  }

  /** What is wrong with it, or null when it is fine. */
  public String problem() {
    for (Double ratio : new Double[] {maxFailedRatio, maxDisconnectedRatio, maxUnhealthyRatio}) {
      if (ratio != null && (ratio < 0 || ratio > 1)) {
        return "gate ratios must be between 0 and 1";
      }
    }
    return null;
  }

  /** Why the batch trips a gate, or null when it does not. */
  public String tripped(BatchProgress batch) {
    double targets = batch.targets();
    double failed = (batch.failed() + batch.expired()) / targets;
    double disconnected = batch.disconnected() / targets;
    double unhealthy = batch.unhealthy() / targets;
    if (failed > maxFailedRatio) {
      return gate("apply-failed", failed, maxFailedRatio, batch);
    }
    if (disconnected > maxDisconnectedRatio) {
      return gate("disconnected", disconnected, maxDisconnectedRatio, batch);
    }
    if (unhealthy > maxUnhealthyRatio) {
      return gate("unhealthy", unhealthy, maxUnhealthyRatio, batch);
    }
    return null;
  }

  private static String gate(String what, double ratio, double limit, BatchProgress batch) {
    return String.format(
        "paused: %s ratio %.0f%% of batch %d is over the %.0f%% gate",
        what, ratio * 100, batch.batch() + 1, limit * 100);
  }
}
