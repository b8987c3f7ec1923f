package io.switchboard.dispatch.rollout;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * {@code switchboard.rollouts}: how often the driver steps rollouts, how long each agent of a batch
 * has to apply before its envelope expires, how many of a batch's envelopes one statement writes
 * and how many such statements run at once, and the default health gates.
 */
public record RolloutSettings(
    Duration tick,
    Duration batchDeadline,
    int envelopesPerWrite,
    int writesAtOnce,
    Gates defaultGates) {

  public static RolloutSettings fromConfig(Config switchboard) {
    Config rollouts = switchboard.getConfig("rollouts");
    return new RolloutSettings(
        rollouts.getDuration("tick"),
        rollouts.getDuration("batch-deadline"),
        rollouts.getInt("envelopes-per-write"),
        rollouts.getInt("writes-at-once"),
        new Gates(
            rollouts.getDouble("gates.max-failed-ratio"),
            rollouts.getDouble("gates.max-disconnected-ratio"),
            rollouts.getDouble("gates.max-unhealthy-ratio")));
  }
}
