package io.switchboard.observability;

import java.util.List;
import kamon.Kamon;
import kamon.metric.Counter;
import kamon.metric.MeasurementUnit;

/**
 * The package metrics: uploads refused, downloads served and their bytes. Kept apart from {@link
 * SwitchboardMetrics} only to keep each file short; the same naming rules apply.
 */
public final class PackageMetrics {

  private PackageMetrics() {}

  /** Registers the series whose labels are known, at zero (see SwitchboardMetrics). */
  public static void registerKnownSeries() {
    for (String reason : List.of("too-large", "hash-mismatch")) {
      uploadsRefused(reason).increment(0);
    }
    for (String status : List.of("200", "206", "401", "404", "416")) {
      downloads(status).increment(0);
    }
    bytesServed().increment(0);
  }

  /** Package uploads refused, by reason: too-large (past max-size), hash-mismatch. */
  public static Counter uploadsRefused(String reason) {
    return Kamon.counter(
            "switchboard.package.uploads.refused", "Package uploads refused, by reason")
        .withTag("reason", reason);
  }

  /** Package download requests answered, by HTTP status. */
  public static Counter downloads(String status) {
    return Kamon.counter("switchboard.package.downloads", "Package downloads answered, by status")
        .withTag("status", status);
  }

  /** Package content bytes sent to agents. */
  public static Counter bytesServed() {
    return Kamon.counter(
            "switchboard.package.served",
            "Package content bytes sent to agents",
            MeasurementUnit.information().bytes())
        .withoutTags();
  }
}
