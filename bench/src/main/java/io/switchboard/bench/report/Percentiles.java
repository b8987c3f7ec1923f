package io.switchboard.bench.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Nearest-rank percentiles of measured durations. */
public final class Percentiles {

  private Percentiles() {}

  /**
   * The {@code quantile} (0..1) of ascending nanosecond samples, in milliseconds; NaN without
   * samples.
   */
  public static double millis(List<Long> sortedNanos, double quantile) {
    if (sortedNanos.isEmpty()) {
      return Double.NaN;
    }
    int index = (int) Math.ceil(quantile * sortedNanos.size()) - 1;
    return sortedNanos.get(Math.max(0, Math.min(sortedNanos.size() - 1, index))) / 1e6;
  }

  /**
   * An ascending copy of {@code nanos}, which other threads may still be adding to (a {@link
   * Collections#synchronizedList}, whose copying must hold its lock).
   */
  public static List<Long> sorted(List<Long> nanos) {
    List<Long> copy;
    synchronized (nanos) {
      copy = new ArrayList<>(nanos);
    }
    Collections.sort(copy);
    return copy;
  }

  /**
   * Adds p50, p95, p99 and the maximum of ascending nanosecond samples as {@code <key>_p50_ms} ...
   * {@code <key>_max_ms}.
   */
  public static void addTo(BenchReport report, String key, String label, List<Long> sortedNanos) {
    report.result(key + "_p50_ms", label + ", p50", millis(sortedNanos, 0.50), "ms");
    report.result(key + "_p95_ms", label + ", p95", millis(sortedNanos, 0.95), "ms");
    report.result(key + "_p99_ms", label + ", p99", millis(sortedNanos, 0.99), "ms");
    report.result(key + "_max_ms", label + ", max", millis(sortedNanos, 1.0), "ms");
  }
}
