package io.switchboard.bench.scenario;

import io.switchboard.bench.BenchThreads;
import io.switchboard.bench.cluster.OperatorApiClient;
import io.switchboard.bench.report.BenchReport;
import io.switchboard.bench.report.Percentiles;
import io.switchboard.bench.scenario.CommandLedger.Submission;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Commands submitted {@code rate} a second, round-robin over the agents and each to one of {@code
 * apis} drawn at random, up to {@code limit} or until stopped, with at most {@code inFlight}
 * awaiting their answers, as a client with a bounded connection pool would: an unbounded client
 * opens a connection for each request waiting, and once the node falls behind it spends itself
 * accepting connections. A command waiting for room counts its latency from when it was due, so the
 * wait is measured, not hidden. Each config is marked with {@code round} and its index, so none
 * repeats the config an agent already has from a round before (the node would answer that it was
 * applied, and send nothing).
 */
final class CommandStream {

  /**
   * One round of commands: how many were sent, the accepted ones, the API's answers by status, and
   * how long each answer took.
   */
  record Round(
      int total,
      List<Submission> accepted,
      SortedMap<Integer, Integer> statuses,
      List<Long> responseTimes) {

    void addTo(BenchReport report) {
      report.result("commands_submitted", "commands submitted", total, "");
      report.result("commands_accepted", "commands accepted (202)", accepted.size(), "");
      report.note("API answers by HTTP status (-1: no answer): " + statuses);
      List<Long> sorted = Percentiles.sorted(responseTimes);
      report.result(
          "api_response_p50_ms",
          "API answer to a submit, p50",
          Percentiles.millis(sorted, 0.50),
          "ms");
      report.result(
          "api_response_p99_ms",
          "API answer to a submit, p99",
          Percentiles.millis(sorted, 0.99),
          "ms");
    }
  }

  private final List<Submission> accepted = new CopyOnWriteArrayList<>();
  private final SortedMap<Integer, Integer> statuses =
      Collections.synchronizedSortedMap(new TreeMap<>());
  private final List<Long> responseTimes = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger due = new AtomicInteger();
  private final CompletableFuture<Integer> ended = new CompletableFuture<>();
  private final ScheduledExecutorService ticker = BenchThreads.daemonScheduler("bench-commands");
  private volatile boolean stopping;

  static CommandStream start(
      String round,
      List<OperatorApiClient> apis,
      CommandLedger ledger,
      List<String> uids,
      int rate,
      int limit,
      int inFlight) {
    CommandStream stream = new CommandStream();
    stream.run(round, apis, ledger, uids, rate, uids.isEmpty() ? 0 : limit, inFlight);
    return stream;
  }

  /** Commands sent so far. */
  int sent() {
    return due.get();
  }

  /** Waits until all {@code limit} commands are sent, then for their answers. */
  Round finish() throws Exception {
    int sent = ended.get();
    ticker.shutdownNow();
    // Every request gets an answer or fails within the client's timeout: count once all have.
    long deadline = System.nanoTime() + OperatorApiClient.REQUEST_TIMEOUT.plusSeconds(5).toNanos();
    while (responseTimes.size() < sent && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    return new Round(sent, accepted, statuses, responseTimes);
  }

  /** Sends no more, then waits for the answers of those sent. */
  Round stop() throws Exception {
    stopping = true;
    return finish();
  }

  private void run(
      String round,
      List<OperatorApiClient> apis,
      CommandLedger ledger,
      List<String> uids,
      int rate,
      int limit,
      int inFlight) {
    Semaphore room = new Semaphore(inFlight);
    long periodNanos = 1_000_000_000L / rate;
    long startNanos = System.nanoTime();
    ticker.scheduleAtFixedRate(
        () -> {
          int index = due.get();
          if (ended.isDone() || stopping || index >= limit) {
            ended.complete(index);
            return;
          }
          due.incrementAndGet();
          String uid = uids.get(index % uids.size());
          boolean remoteConfig = index % 2 == 1;
          Submission submission = new Submission(remoteConfig, startNanos + index * periodNanos);
          // Recorded before it is sent: the agent may get it before the API's answer is back.
          ledger.submitted(uid, submission);
          room.acquireUninterruptibly();
          OperatorApiClient api = apis.get(ThreadLocalRandom.current().nextInt(apis.size()));
          (remoteConfig
                  ? api.sendAsync(
                      "PUT",
                      "/api/agents/" + uid + "/remote-config",
                      OperatorApiClient.collectorConfig(round + " " + index))
                  : api.sendAsync("POST", "/api/agents/" + uid + "/restart", null))
              .whenComplete(
                  (answer, failure) -> {
                    room.release();
                    responseTimes.add(System.nanoTime() - submission.submittedNanos);
                    int status = failure == null ? answer.status() : -1;
                    statuses.merge(status, 1, Integer::sum);
                    if (status == 202 && answer.field("id") != null) {
                      submission.envelopeId = answer.field("id");
                      accepted.add(submission);
                    } else {
                      ledger.rejected(uid, submission);
                    }
                  });
        },
        0,
        periodNanos,
        TimeUnit.NANOSECONDS);
  }
}
