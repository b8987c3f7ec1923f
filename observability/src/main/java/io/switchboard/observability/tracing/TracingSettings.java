package io.switchboard.observability.tracing;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * {@code switchboard.tracing}: whether the node traces at all, which share of new traces it keeps
 * (a trace begun elsewhere keeps its caller's choice), how often finished spans are sent, and how
 * many may wait for the next export before new ones are dropped.
 */
public record TracingSettings(
    boolean enabled,
    double samplingRatio,
    Duration exportInterval,
    int maxQueueSize,
    OtlpSettings otlp) {

  public TracingSettings {
    if (samplingRatio < 0 || samplingRatio > 1) {
      throw new IllegalArgumentException(
          "switchboard.tracing.sampling-ratio must be between 0 and 1, not " + samplingRatio);
    }
    if (maxQueueSize < 1) {
      throw new IllegalArgumentException(
          "switchboard.tracing.max-queue-size must be at least 1, not " + maxQueueSize);
    }
  }

  /** Tracing off: nothing else is read. */
  public static final TracingSettings OFF =
      new TracingSettings(
          false,
          0,
          Duration.ofSeconds(5),
          1,
          new OtlpSettings(
              "http://localhost:4318", java.util.Map.of(), Duration.ofSeconds(10), ""));

  /** Reads {@code switchboard.tracing} and {@code switchboard.otlp}; off when they are absent. */
  public static TracingSettings fromConfig(Config config) {
    if (!config.hasPath("switchboard.tracing.enabled")
        || !config.getBoolean("switchboard.tracing.enabled")) {
      return OFF;
    }
    Config tracing = config.getConfig("switchboard.tracing");
    return new TracingSettings(
        true,
        tracing.getDouble("sampling-ratio"),
        tracing.getDuration("export-interval"),
        tracing.getInt("max-queue-size"),
        OtlpSettings.fromConfig(config.getConfig("switchboard.otlp")));
  }
}
