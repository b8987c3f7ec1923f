package io.switchboard.observability;

import com.typesafe.config.Config;
import kamon.Kamon;
import kamon.prometheus.PrometheusReporter;

/**
 * Starts Kamon once per JVM and keeps the Prometheus reporter whose scrape text the node serves on
 * its metrics port. Kamon's registry is process-wide, so several nodes in one test JVM share it;
 * the first caller's configuration wins.
 */
public final class Telemetry {

  private static PrometheusReporter reporter;

  private Telemetry() {}

  /** Initialises Kamon with the given configuration (idempotent). */
  public static synchronized void start(Config config) {
    if (reporter != null) {
      return;
    }
    Kamon.init(config);
    reporter = PrometheusReporter.create();
    Kamon.addReporter("switchboard-prometheus", reporter);
  }

  /** The latest Prometheus exposition text; empty until the first metric tick. */
  public static String scrape() {
    PrometheusReporter current;
    synchronized (Telemetry.class) {
      current = reporter;
    }
    if (current == null) {
      throw new IllegalStateException("Telemetry.start(config) has not been called");
    }
    return current.scrapeData();
  }
}
