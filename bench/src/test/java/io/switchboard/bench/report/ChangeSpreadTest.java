package io.switchboard.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Arrivals at agents become latencies from the call, a count of targets missed, and a timeline of
 * agents reached.
 */
class ChangeSpreadTest {

  private static final long MS = 1_000_000L;

  /** The run started at 10 s on the nanosecond clock; the change was made 2 s into it. */
  private static final long RUN_START = 10_000 * MS;

  private static final long CALL = RUN_START + 2_000 * MS;

  @Test
  void latenciesCountFromTheCallAndOnlyTargetsCount() {
    ChangeSpread spread =
        ChangeSpread.of(
            CALL,
            List.of("a", "b", "c", "d"),
            Map.of(
                "c",
                CALL + 300 * MS,
                "a",
                CALL + 100 * MS,
                "b",
                CALL + 6_000 * MS,
                "not-a-target",
                CALL + 50 * MS));

    assertEquals(3, spread.reached());
    assertEquals(1, spread.missing(), "d never got it");
    assertEquals(
        List.of(100 * MS, 300 * MS, 6_000 * MS), spread.latencies(), "ascending, from the call");
    assertEquals(2, spread.within(Duration.ofSeconds(5)));
    assertEquals(100.0, spread.firstTargetAfterMillis());
    assertTrue(Double.isNaN(spread.everyTargetAfterMillis()), "not every target was reached");
  }

  @Test
  void everyTargetReachedAfterTheLastArrival() {
    ChangeSpread spread =
        ChangeSpread.of(
            CALL, List.of("a", "b"), Map.of("a", CALL + 100 * MS, "b", CALL + 2_500 * MS));

    assertEquals(0, spread.missing());
    assertEquals(2_500.0, spread.everyTargetAfterMillis());
    assertEquals(
        2, spread.within(Duration.ofMillis(2_500)), "an arrival exactly at the limit is within it");
  }

  @Test
  void theTimelineStartsAtNoneWhenTheCallIsMadeAndGainsOneAgentPerArrival() {
    ChangeSpread spread =
        ChangeSpread.of(
            CALL, List.of("a", "b", "c"), Map.of("b", CALL + 500 * MS, "a", CALL + 250 * MS));

    assertEquals(
        List.of(
            new BenchReport.Point(2.0, 0),
            new BenchReport.Point(2.25, 1),
            new BenchReport.Point(2.5, 2)),
        spread.timeline(RUN_START));
  }

  @Test
  void aChangeThatReachedNobodyIsReportedAsNotMeasuredWithEveryTargetMissing() {
    ChangeSpread spread = ChangeSpread.of(CALL, List.of("a", "b"), Map.of());
    BenchReport report =
        new BenchReport("rollout", "a fake run", Instant.parse("2026-12-01T08:00:00Z"));

    spread.addTo(report, "fanout_receipt", "fan-out, call to receipt");

    Map<String, Double> results = values(report);
    assertEquals(0.0, results.get("fanout_receipt_agents"));
    assertEquals(2.0, results.get("fanout_receipt_missing"));
    assertTrue(Double.isNaN(results.get("fanout_receipt_first_target_ms")));
    assertTrue(Double.isNaN(results.get("fanout_receipt_p50_ms")));
    assertTrue(Double.isNaN(results.get("fanout_receipt_max_ms")));
    assertTrue(Double.isNaN(results.get("fanout_receipt_every_target_ms")));
  }

  @Test
  void percentilesAreNearestRankOverTheTargetsReached() {
    Map<String, Long> arrivals = new HashMap<>();
    List<String> targets = new ArrayList<>();
    for (int i = 1; i <= 100; i++) {
      targets.add("agent-" + i);
      arrivals.put("agent-" + i, CALL + i * 10 * MS);
    }
    BenchReport report =
        new BenchReport("rollout", "a fake run", Instant.parse("2026-12-01T08:00:00Z"));

    ChangeSpread.of(CALL, targets, arrivals)
        .addTo(report, "fanout_applied", "fan-out, call to APPLIED");

    Map<String, Double> results = values(report);
    assertEquals(10.0, results.get("fanout_applied_first_target_ms"));
    assertEquals(500.0, results.get("fanout_applied_p50_ms"));
    assertEquals(950.0, results.get("fanout_applied_p95_ms"));
    assertEquals(990.0, results.get("fanout_applied_p99_ms"));
    assertEquals(1_000.0, results.get("fanout_applied_max_ms"));
    assertEquals(1_000.0, results.get("fanout_applied_every_target_ms"));
  }

  private static Map<String, Double> values(BenchReport report) {
    Map<String, Double> values = new HashMap<>();
    report.results().forEach(result -> values.put(result.key(), result.value()));
    return values;
  }
}
