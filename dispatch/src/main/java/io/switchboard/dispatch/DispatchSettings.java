package io.switchboard.dispatch;

import com.typesafe.config.Config;
import java.time.Duration;

/** {@code switchboard.dispatch}: deadlines and the sweep; see reference.conf. */
public record DispatchSettings(
    Duration defaultDeadline,
    Duration maxDeadline,
    Duration sweepInterval,
    Duration expiryGrace,
    Duration redeliverAfter,
    int redeliveryBatch) {

  public static DispatchSettings fromConfig(Config switchboard) {
    Config dispatch = switchboard.getConfig("dispatch");
    return new DispatchSettings(
        dispatch.getDuration("default-deadline"),
        dispatch.getDuration("max-deadline"),
        dispatch.getDuration("sweep.interval"),
        dispatch.getDuration("sweep.expiry-grace"),
        dispatch.getDuration("sweep.redeliver-after"),
        dispatch.getInt("sweep.redelivery-batch"));
  }
}
