package io.switchboard.bench.scenario;

import com.google.protobuf.ByteString;
import io.switchboard.bench.report.BenchReport;
import io.switchboard.fleetsim.AgentObserver;
import io.switchboard.opamp.proto.RemoteConfigStatuses;
import io.switchboard.opamp.proto.ServerToAgent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Matches what agents receive to what was submitted. An agent gets its commands in submission
 * order, so each agent has a queue per kind; a remote config is then followed by its hash to the
 * agent's APPLIED report.
 */
final class CommandLedger implements AgentObserver {

  /** One command submitted to one agent. */
  static final class Submission {
    final boolean remoteConfig;
    final long submittedNanos;
    volatile String envelopeId;

    Submission(boolean remoteConfig, long submittedNanos) {
      this.remoteConfig = remoteConfig;
      this.submittedNanos = submittedNanos;
    }
  }

  private final long startNanos;
  private final BenchReport report;
  private final Map<String, Queue<Submission>> restartsDue = new ConcurrentHashMap<>();
  private final Map<String, Queue<Submission>> configsDue = new ConcurrentHashMap<>();
  private final Map<ByteString, Submission> configsApplying = new ConcurrentHashMap<>();
  final List<Long> restartReceipt = Collections.synchronizedList(new ArrayList<>());
  final List<Long> configReceipt = Collections.synchronizedList(new ArrayList<>());
  final List<Long> configApplied = Collections.synchronizedList(new ArrayList<>());
  final AtomicInteger configsFailed = new AtomicInteger();

  /** Whether latencies go into the report's plot: not in the warm-up. */
  private volatile boolean plotting;

  CommandLedger(long startNanos, BenchReport report, boolean plotting) {
    this.startNanos = startNanos;
    this.report = report;
    this.plotting = plotting;
  }

  /**
   * Forgets the round before: what it measured and what was still due from it, so that nothing of
   * the warm-up is counted or matched in the round measured.
   */
  void startRound() {
    restartsDue.clear();
    configsDue.clear();
    configsApplying.clear();
    restartReceipt.clear();
    configReceipt.clear();
    configApplied.clear();
    configsFailed.set(0);
    plotting = true;
  }

  void submitted(String instanceUid, Submission submission) {
    (submission.remoteConfig ? configsDue : restartsDue)
        .computeIfAbsent(instanceUid, uid -> new ConcurrentLinkedQueue<>())
        .add(submission);
  }

  void rejected(String instanceUid, Submission submission) {
    (submission.remoteConfig ? configsDue : restartsDue).get(instanceUid).remove(submission);
  }

  @Override
  public void commandReceived(String instanceUid, ServerToAgent message, long receivedNanos) {
    if (message.hasCommand()) {
      record(
          restartsDue.get(instanceUid),
          receivedNanos,
          restartReceipt,
          "restart: submit to receipt");
    }
    // A config the agent already had (offered again on a new session) was not submitted now.
    if (message.hasRemoteConfig()
        && !configsApplying.containsKey(message.getRemoteConfig().getConfigHash())) {
      Submission submission =
          record(
              configsDue.get(instanceUid),
              receivedNanos,
              configReceipt,
              "remote config: submit to receipt");
      if (submission != null) {
        configsApplying.put(message.getRemoteConfig().getConfigHash(), submission);
      }
    }
  }

  @Override
  public void remoteConfigReported(
      String instanceUid, ByteString configHash, RemoteConfigStatuses status, long reportedNanos) {
    Submission submission = configsApplying.remove(configHash);
    if (submission == null) {
      return;
    }
    if (status == RemoteConfigStatuses.RemoteConfigStatuses_APPLIED) {
      long latency = reportedNanos - submission.submittedNanos;
      configApplied.add(latency);
      plot("remote config: submit to APPLIED", reportedNanos, latency);
    } else {
      configsFailed.incrementAndGet();
    }
  }

  private void plot(String series, long atNanos, long latency) {
    if (plotting) {
      report.latency(series, (atNanos - startNanos) / 1e9, latency / 1e6);
    }
  }

  private Submission record(
      Queue<Submission> due, long receivedNanos, List<Long> latencies, String series) {
    Submission submission = due == null ? null : due.poll();
    if (submission != null) {
      long latency = receivedNanos - submission.submittedNanos;
      latencies.add(latency);
      plot(series, receivedNanos, latency);
    }
    return submission;
  }
}
