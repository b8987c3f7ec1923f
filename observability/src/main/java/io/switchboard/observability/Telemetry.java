package io.switchboard.observability;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.switchboard.observability.tracing.OtlpMetrics;
import java.util.Map;
import kamon.Kamon;
import kamon.prometheus.PrometheusReporter;

/**
 * Starts Kamon once per JVM and keeps the Prometheus reporter whose scrape text the node serves on
 * its metrics port. Kamon's registry is process-wide, so several nodes in one test JVM share it;
 * the first caller's configuration wins.
 */
public final class Telemetry {

  /**
   * The node serves the scrape text itself, so Kamon's reporter module and embedded server stay
   * off, and so does the bundle's status page (another listening port, on 5266, nobody asked for).
   * Set over the given configuration, not only in reference.conf: which library's reference.conf
   * wins depends on the order of jars on the classpath.
   */
  private static final Config OWN_SERVER_ONLY =
      ConfigFactory.parseMap(
          Map.of(
              "kamon.modules.prometheus-reporter.enabled", false,
              "kamon.prometheus.start-embedded-http-server", false,
              "kamon.modules.status-page.enabled", false));

  private static PrometheusReporter reporter;

  private Telemetry() {}

  /**
   * Initialises Kamon with the given configuration (idempotent). With {@code
   * switchboard.metrics.instrumentation} on, Kamon attaches the Kanela agent here, which
   * instruments Pekko's classes as they load: call this before the first actor system of the JVM
   * starts.
   */
  public static synchronized void start(Config config) {
    if (reporter != null) {
      return;
    }
    // Forced like the servers above: kamon-core's reference.conf also sets the attach flag and the
    // tick interval (to 60 s, which left the scrape a minute behind when its jar came first), and
    // kamon-system-metrics' the hiccup monitor's and the process metrics' intervals.
    Config fromSwitchboard =
        ConfigFactory.parseMap(
            Map.of(
                "kamon.init.attach-instrumentation",
                    config.getBoolean("switchboard.metrics.instrumentation"),
                "kamon.metric.tick-interval", millis(config, "switchboard.metrics.tick-interval"),
                "kamon.instrumentation.system.process.hiccup-monitor-interval",
                    millis(config, "switchboard.metrics.hiccup-interval"),
                "kamon.modules.process-metrics.interval",
                    millis(config, "switchboard.metrics.process-interval")));
    Config effective = OWN_SERVER_ONLY.withFallback(fromSwitchboard).withFallback(config);
    Kamon.init(effective);
    reporter = PrometheusReporter.create();
    Kamon.addReporter("switchboard-prometheus", reporter);
    OtlpMetrics.Settings otlp = OtlpMetrics.Settings.fromConfig(config);
    if (otlp.enabled()) {
      Kamon.addReporter("switchboard-otlp", new OtlpMetrics(otlp));
    }
  }

  private static String millis(Config config, String path) {
    return config.getDuration(path).toMillis() + "ms";
  }

  /**
   * The latest Prometheus exposition text: Kamon's (a placeholder comment until the first metric
   * tick), then the {@link TransientGauge}s as they are now.
   */
  public static String scrape() {
    PrometheusReporter current;
    synchronized (Telemetry.class) {
      current = reporter;
    }
    if (current == null) {
      throw new IllegalStateException("Telemetry.start(config) has not been called");
    }
    return current.scrapeData() + TransientGauge.scrape();
  }
}
