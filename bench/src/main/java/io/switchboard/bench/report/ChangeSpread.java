package io.switchboard.bench.report;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * How one config change spread over the agents it was for: from the operator's call to each agent's
 * arrival (its receipt, or its APPLIED report), as latencies and as a timeline of how many agents
 * it had reached.
 */
public final class ChangeSpread {

  private final long changeNanos;
  private final int targets;

  /** The arrivals of the targets the change reached, ascending, in {@link System#nanoTime()}. */
  private final List<Long> arrivals;

  private ChangeSpread(long changeNanos, int targets, List<Long> arrivals) {
    this.changeNanos = changeNanos;
    this.targets = targets;
    this.arrivals = arrivals;
  }

  /**
   * The change made at {@code changeNanos} for {@code targets}, which arrived at the agents in
   * {@code arrivalNanos} (agents that are not targets do not count).
   */
  public static ChangeSpread of(
      long changeNanos, Collection<String> targets, Map<String, Long> arrivalNanos) {
    List<Long> arrivals = new ArrayList<>();
    for (String target : targets) {
      Long arrival = arrivalNanos.get(target);
      if (arrival != null) {
        arrivals.add(arrival);
      }
    }
    arrivals.sort(null);
    return new ChangeSpread(changeNanos, targets.size(), List.copyOf(arrivals));
  }

  int reached() {
    return arrivals.size();
  }

  /** Targets it never reached. */
  int missing() {
    return targets - arrivals.size();
  }

  /** From the call to each arrival, ascending, in nanoseconds. */
  List<Long> latencies() {
    return arrivals.stream().map(arrival -> arrival - changeNanos).toList();
  }

  /** Targets it reached within {@code limit} of the call. */
  public int within(Duration limit) {
    return (int) latencies().stream().filter(latency -> latency <= limit.toNanos()).count();
  }

  /** From the call until it reached its first target, in milliseconds; NaN if it reached none. */
  double firstTargetAfterMillis() {
    return arrivals.isEmpty() ? Double.NaN : (arrivals.get(0) - changeNanos) / 1e6;
  }

  /** From the call until it had reached every target, in milliseconds; NaN if it never did. */
  double everyTargetAfterMillis() {
    return missing() > 0 || arrivals.isEmpty()
        ? Double.NaN
        : (arrivals.get(arrivals.size() - 1) - changeNanos) / 1e6;
  }

  /**
   * Agents reached over time, as seconds since {@code originNanos} (the run's start): none at the
   * call, then one more at each arrival.
   */
  public List<BenchReport.Point> timeline(long originNanos) {
    List<BenchReport.Point> points = new ArrayList<>(arrivals.size() + 1);
    points.add(new BenchReport.Point((changeNanos - originNanos) / 1e9, 0));
    for (int i = 0; i < arrivals.size(); i++) {
      points.add(new BenchReport.Point((arrivals.get(i) - originNanos) / 1e9, i + 1));
    }
    return points;
  }

  /**
   * Adds how many it reached, how many it missed, the time to the first, the latency percentiles
   * and the time to reach all.
   */
  public void addTo(BenchReport report, String key, String label) {
    report.result(key + "_agents", label + ": agents reached", reached(), "");
    report.result(key + "_missing", label + ": targets never reached", missing(), "");
    report.result(
        key + "_first_target_ms",
        label + ": first target reached after",
        firstTargetAfterMillis(),
        "ms");
    Percentiles.addTo(report, key, label, latencies());
    report.result(
        key + "_every_target_ms",
        label + ": every target reached after",
        everyTargetAfterMillis(),
        "ms");
  }
}
