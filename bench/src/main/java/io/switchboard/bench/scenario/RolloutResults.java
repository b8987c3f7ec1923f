package io.switchboard.bench.scenario;

import io.switchboard.bench.cluster.OperatorApiClient;
import io.switchboard.bench.fleet.ConfigArrivals;
import io.switchboard.bench.report.BenchReport;
import io.switchboard.bench.report.ChangeSpread;
import io.switchboard.bench.report.EnvelopeTimes;
import io.switchboard.bench.report.RolloutWatch;
import io.switchboard.bench.report.WatchedRollout;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The rollout benchmark's readings: the fan-out's and the batched rollout's spread over the agents,
 * by the bench's clock and by the node's, into the report.
 */
final class RolloutResults {

  /** The target: one change at every agent of a node within this. */
  static final Duration FAN_OUT_TARGET = Duration.ofSeconds(5);

  private RolloutResults() {}

  static void fanOutResults(
      BenchReport report,
      WatchedRollout assignment,
      ConfigArrivals arrivals,
      RolloutBenchmark.Version version,
      List<String> agents,
      long startNanos) {
    ChangeSpread received =
        ChangeSpread.of(assignment.calledNanos(), agents, arrivals.received(version.configHash()));
    ChangeSpread applied =
        ChangeSpread.of(assignment.calledNanos(), agents, arrivals.applied(version.configHash()));
    report.result(
        "fanout_targets",
        "fan-out: agents the assignment targets (the API's count)",
        assignment.targets(),
        "");
    report.result(
        "fanout_api_answer_ms",
        "fan-out: POST /api/rollouts answered after",
        assignment.answeredAfterMillis(),
        "ms");
    received.addTo(report, "fanout_receipt", "fan-out, call to the agent's receipt");
    report.result(
        "fanout_receipt_within_target_percent",
        "fan-out: targets that received it within " + FAN_OUT_TARGET.toSeconds() + " s of the call",
        share(received.within(FAN_OUT_TARGET), agents.size()),
        "%");
    applied.addTo(report, "fanout_applied", "fan-out, call to the agent's APPLIED report");
    report.result(
        "fanout_applied_within_target_percent",
        "fan-out: targets that reported it APPLIED within "
            + FAN_OUT_TARGET.toSeconds()
            + " s of the call",
        share(applied.within(FAN_OUT_TARGET), agents.size()),
        "%");
    report.result(
        "fanout_failed",
        "fan-out: agents that reported it FAILED",
        arrivals.failed(version.configHash()).size(),
        "");
    report.result(
        "fanout_completed_s",
        "fan-out: the API showed the assignment COMPLETED after",
        seconds(assignment.watch()),
        "s");
    assignment.noteHowItEnded(report, "the assignment");
    plot(report, "fan-out (version " + version.number() + ")", received, applied, startNanos);
  }

  /**
   * The fan-out on the node's clock, from the assignment's created_at: each envelope written, and
   * recorded as sent (a recorded SENT lands a little after the push, as the writes are batched).
   */
  static void nodeSideOfFanOut(
      BenchReport report, OperatorApiClient api, WatchedRollout assignment, List<String> agents)
      throws IOException, InterruptedException {
    String id = assignment.path().substring(assignment.path().lastIndexOf('/') + 1);
    EnvelopeTimes envelopes = EnvelopeTimes.read(api, "rollout/" + id, agents.size());
    ChangeSpread.of(0, agents, envelopes.writtenSince(assignment.createdAt()))
        .addTo(
            report,
            "fanout_envelope_written",
            "fan-out, node's clock, created_at to the agent's envelope written");
    ChangeSpread.of(0, agents, envelopes.sentSince(assignment.createdAt()))
        .addTo(
            report,
            "fanout_envelope_sent",
            "fan-out, node's clock, created_at to the envelope recorded SENT");
  }

  static void rolloutResults(
      BenchReport report,
      WatchedRollout rollout,
      ConfigArrivals arrivals,
      RolloutBenchmark.Version version,
      List<String> agents,
      long startNanos) {
    ChangeSpread received =
        ChangeSpread.of(rollout.calledNanos(), agents, arrivals.received(version.configHash()));
    ChangeSpread applied =
        ChangeSpread.of(rollout.calledNanos(), agents, arrivals.applied(version.configHash()));
    int batchCount = rollout.batchCount();
    report.result(
        "rollout_targets", "rollout: agents it targets (the API's count)", rollout.targets(), "");
    report.result("rollout_batches", "rollout: batches", batchCount, "");
    report.result(
        "rollout_api_answer_ms",
        "rollout: POST /api/rollouts answered after",
        rollout.answeredAfterMillis(),
        "ms");
    report.result(
        "rollout_completed_s",
        "rollout: the API showed it COMPLETED after",
        seconds(rollout.watch()),
        "s");
    report.result(
        "rollout_node_s",
        "rollout: created to COMPLETED by the node's clock",
        rollout
            .watch()
            .completedAfterByNode()
            .map(after -> after.toMillis() / 1000.0)
            .orElse(Double.NaN),
        "s");
    Instant createdAt = rollout.createdAt();
    List<RolloutWatch.BatchSpan> spans = rollout.watch().batchesLeft();
    List<String> starts = new ArrayList<>();
    for (RolloutWatch.BatchSpan span : spans) {
      int batch = span.batch() + 1;
      int targets = rollout.batchTargets(span.batch());
      report.result(
          "rollout_batch_" + batch + "_s",
          "rollout: batch "
              + batch
              + " of "
              + batchCount
              + " ("
              + targets
              + (targets == 1 ? " agent" : " agents")
              + ") current for",
          span.duration().toMillis() / 1000.0,
          "s");
      starts.add(
          String.format(
              Locale.ROOT,
              "%d: %.1f s",
              batch,
              Duration.between(createdAt, span.from()).toMillis() / 1000.0));
    }
    report.note("rollout batches current from, after its created_at: " + String.join(", ", starts));
    if (rollout.watch().completedAfter().isPresent() && spans.size() < batchCount) {
      report.note(
          (batchCount - spans.size())
              + " batches were passed between two readings of the rollout: their times are missing");
    }
    received.addTo(report, "rollout_receipt", "rollout, call to the agent's receipt");
    applied.addTo(report, "rollout_applied", "rollout, call to the agent's APPLIED report");
    report.result(
        "rollout_failed",
        "rollout: agents that reported it FAILED",
        arrivals.failed(version.configHash()).size(),
        "");
    rollout.noteHowItEnded(report, "the rollout");
    plot(report, "rollout (version " + version.number() + ")", received, applied, startNanos);
  }

  private static void plot(
      BenchReport report,
      String change,
      ChangeSpread received,
      ChangeSpread applied,
      long startNanos) {
    received
        .timeline(startNanos)
        .forEach(point -> report.reached(change + ": received", point.seconds(), point.value()));
    applied
        .timeline(startNanos)
        .forEach(
            point -> report.reached(change + ": reported APPLIED", point.seconds(), point.value()));
  }

  private static double seconds(RolloutWatch watch) {
    return watch.completedAfter().map(after -> after.toMillis() / 1000.0).orElse(Double.NaN);
  }

  private static double share(int part, int whole) {
    return whole == 0 ? Double.NaN : part * 100.0 / whole;
  }
}
