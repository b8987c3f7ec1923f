package io.switchboard.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Map;
import kamon.Kamon;
import org.junit.jupiter.api.Test;

class TelemetryTest {

  /**
   * Kamon's own reference.conf says 60 s, a 1 ms hiccup monitor, process metrics every second and
   * its own servers on; which reference.conf wins depends on the classpath's order, so the node's
   * settings must be forced over them.
   */
  @Test
  void kamonRunsOnTheNodesSettingsWhateverItsReferenceConfSays() {
    Telemetry.start(
        ConfigFactory.parseMap(
                Map.of(
                    "switchboard.metrics.tick-interval", "750ms",
                    "switchboard.metrics.instrumentation", false,
                    "switchboard.metrics.hiccup-interval", "20ms",
                    "switchboard.metrics.process-interval", "3s"))
            .withFallback(ConfigFactory.load()));

    assertEquals(Duration.ofMillis(750), Kamon.config().getDuration("kamon.metric.tick-interval"));
    assertEquals(
        Duration.ofMillis(20),
        Kamon.config().getDuration("kamon.instrumentation.system.process.hiccup-monitor-interval"));
    assertEquals(
        Duration.ofSeconds(3),
        Kamon.config().getDuration("kamon.modules.process-metrics.interval"));
    assertFalse(Kamon.config().getBoolean("kamon.init.attach-instrumentation"));
    assertFalse(Kamon.config().getBoolean("kamon.prometheus.start-embedded-http-server"));
    assertFalse(Kamon.config().getBoolean("kamon.modules.status-page.enabled"));
  }
}
