package io.switchboard.bench;

import java.util.List;

/** Nearest-rank percentiles of measured durations. */
final class Percentiles {

  private Percentiles() {}

  /** The {@code quantile} (0..1) of ascending nanosecond samples, in milliseconds; NaN without samples. */
  static double millis(List<Long> sortedNanos, double quantile) {
    if (sortedNanos.isEmpty()) {
      return Double.NaN;
    }
    int index = (int) Math.ceil(quantile * sortedNanos.size()) - 1;
    return sortedNanos.get(Math.max(0, Math.min(sortedNanos.size() - 1, index))) / 1e6;
  }
}
