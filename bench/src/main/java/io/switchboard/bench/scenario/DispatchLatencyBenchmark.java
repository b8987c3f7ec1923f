package io.switchboard.bench.scenario;

import com.google.protobuf.ByteString;
import io.switchboard.bench.BenchProperties;
import io.switchboard.bench.BenchThreads;
import io.switchboard.bench.cluster.LocalNode;
import io.switchboard.bench.cluster.OperatorApiClient;
import io.switchboard.bench.fleet.ConnectedFleet;
import io.switchboard.bench.fleet.FleetParameters;
import io.switchboard.bench.report.BenchReport;
import io.switchboard.bench.report.Percentiles;
import io.switchboard.bench.report.WarmUp;
import io.switchboard.fleetsim.AgentObserver;
import io.switchboard.fleetsim.Summary;
import io.switchboard.opamp.proto.RemoteConfigStatuses;
import io.switchboard.opamp.proto.ServerToAgent;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code dispatch-latency}: N simulated agents connected to one node process, or spread over a
 * cluster of {@code -Dnodes}, then operator commands through the REST API at a steady rate for a
 * while, alternately a restart and a remote config (each config different, so that every one is
 * applied). In a cluster each command goes to a node's API drawn at random, as behind a load
 * balancer, so most cross the cluster on their way: to the node hosting the agent's entity, and
 * from there to the node holding its socket. The agents record when each arrives, and when they
 * report a config APPLIED; the report gives submit-to-receipt and submit-to-APPLIED percentiles,
 * and the dispatch states the API ends with. A warm-up round of the same commands goes first,
 * unmeasured, until the node's JIT is quiet: a node that has only taken agents has not yet compiled
 * its command path, and a cold path measures the JIT, not the dispatch.
 */
public final class DispatchLatencyBenchmark {

  static final String DESCRIPTION =
      "Restarts and remote configs submitted through the operator API at a steady rate to N agents connected to one"
          + " node or to a local cluster;"
          + " latency from the submit to the agent's receipt and, for configs, to the agent's APPLIED report.";

  private DispatchLatencyBenchmark() {}

  /** One command submitted to one agent. */
  private static final class Submission {
    final boolean remoteConfig;
    final long submittedNanos;
    volatile String dispatchId;

    Submission(boolean remoteConfig, long submittedNanos) {
      this.remoteConfig = remoteConfig;
      this.submittedNanos = submittedNanos;
    }
  }

  /**
   * Matches what agents receive to what was submitted. An agent gets its commands in submission
   * order, so each agent has a queue per kind; a remote config is then followed by its hash to the
   * agent's APPLIED report.
   */
  private static final class CommandLedger implements AgentObserver {
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
        String instanceUid,
        ByteString configHash,
        RemoteConfigStatuses status,
        long reportedNanos) {
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

  public static void run() throws Exception {
    FleetParameters fleet = FleetParameters.read("2g");
    int nodes = BenchProperties.integer("nodes", 1);
    int rate = BenchProperties.integer("rate", 100);
    int seconds = BenchProperties.integer("seconds", 30);
    int warmUpCommands = BenchProperties.integer("warmUpCommands", 15_000);
    Duration warmUpTimeout = WarmUp.timeout();
    int inFlight = BenchProperties.integer("inFlight", 64);
    Duration drain = BenchProperties.duration("drain", "30s");

    BenchReport report = new BenchReport("dispatch-latency", DESCRIPTION, Instant.now());
    fleet.addTo(report, "node heap limit");
    report.parameter("nodes (-Dnodes; several form one cluster on a shared PostgreSQL)", nodes);
    report.parameter("commands per second (-Drate)", rate);
    report.parameter("seconds of commands (-Dseconds)", seconds);
    report.parameter(
        "unmeasured warm-up commands first, at the same rate, at least (-DwarmUpCommands; then on until the node's JIT is quiet)",
        warmUpCommands);
    WarmUp.addTo(report, warmUpTimeout);
    report.parameter("most commands awaiting the API's answer at once (-DinFlight)", inFlight);
    report.parameter("wait for outstanding commands (-Ddrain)", drain);
    report.parameter("cores", Runtime.getRuntime().availableProcessors());

    // Long enough for the connections, the commands and the wait for the last ones; stopped early.
    Duration runFor =
        fleet
            .connectTimeout()
            .plus(Duration.ofSeconds(warmUpCommands / rate + seconds))
            .plus(warmUpTimeout)
            .plus(drain.multipliedBy(2))
            .plus(Duration.ofSeconds(120));
    long startNanos = System.nanoTime();
    CommandLedger ledger = new CommandLedger(startNanos, report, warmUpCommands == 0);
    try (ConnectedFleet connected =
        ConnectedFleet.start(
            "dispatch-latency-node", nodes, List.of(), fleet, runFor, startNanos, ledger, report)) {
      if (warmUpCommands > 0) {
        Round warmUp =
            warmUp(connected, ledger, rate, warmUpCommands, inFlight, warmUpTimeout, report);
        if (!awaitOutstanding(ledger, warmUp.accepted(), drain)) {
          report.note(
              "the warm-up's commands were not all through after -Ddrain="
                  + drain.toSeconds()
                  + "s; the round measured starts behind");
        }
        report.result("warm_up_commands", "unmeasured warm-up commands sent", warmUp.total(), "");
        System.out.printf(
            "bench: warm-up done, %d of %d commands accepted%n",
            warmUp.accepted().size(), warmUp.total());
        ledger.startRound();
      }
      CpuUse cpu = CpuUse.start(connected.pids());
      Optional<LocalNode.DispatchCounts> before = dispatchCounts(connected.nodes());
      Round measured =
          CommandStream.start(
                  "measured",
                  connected.apis(),
                  ledger,
                  connected.agents(),
                  rate,
                  rate * seconds,
                  inFlight)
              .finish();
      cpu.addTo(report, measured.total());
      addDispatchCounts(report, before, dispatchCounts(connected.nodes()), measured.total());
      measured.addTo(report);
      awaitOutstanding(ledger, measured.accepted(), drain);
      results(report, ledger, measured.accepted(), connected.progress(), connected.api());
    }
    report.publish();
  }

  /**
   * One round of commands: how many were sent, the accepted ones, the API's answers by status, and
   * how long each answer took.
   */
  private record Round(
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

  /** The nodes' dispatch counts summed over the cluster; empty if any node's scrape failed. */
  private static Optional<LocalNode.DispatchCounts> dispatchCounts(List<LocalNode> nodes) {
    LocalNode.DispatchCounts total = LocalNode.DispatchCounts.NONE;
    for (LocalNode node : nodes) {
      Optional<LocalNode.DispatchCounts> counts = node.dispatchCounts();
      if (counts.isEmpty()) {
        return Optional.empty();
      }
      total = total.plus(counts.get());
    }
    return Optional.of(total);
  }

  /**
   * Reports what the nodes counted between {@code before} and {@code after}, over {@code commands}.
   */
  private static void addDispatchCounts(
      BenchReport report,
      Optional<LocalNode.DispatchCounts> before,
      Optional<LocalNode.DispatchCounts> after,
      int commands) {
    Optional<LocalNode.DispatchCounts> change =
        before.flatMap(start -> after.map(end -> end.minus(start)));
    report.result(
        "store_statements_per_command",
        "statements the nodes' stores ran, per command",
        commands == 0
            ? Double.NaN
            : change.map(LocalNode.DispatchCounts::statements).orElse(Double.NaN) / commands,
        "");
    report.result(
        "deliveries_local",
        "messages to agents sent from the node hosting the entity",
        change.map(LocalNode.DispatchCounts::local).orElse(Double.NaN),
        "");
    report.result(
        "deliveries_forwarded",
        "messages to agents forwarded to another node's socket",
        change.map(LocalNode.DispatchCounts::forwarded).orElse(Double.NaN),
        "");
  }

  /**
   * CPU the nodes and this JVM (the HTTP client and the agents) used while the measured round's
   * commands were sent and answered: steadier from run to run than latency on a shared machine, and
   * what tells whether the nodes or their load ran out of cores. All of the nodes' CPU counts,
   * their agents' heartbeats and JIT included, so at low rates the part per command is high.
   */
  private record CpuUse(List<Long> nodePids, WarmUp.Cpu node, WarmUp.Cpu load, long startNanos) {

    static CpuUse start(List<Long> nodePids) throws IOException {
      return new CpuUse(
          nodePids,
          WarmUp.Cpu.ofAll(nodePids),
          WarmUp.Cpu.of(ProcessHandle.current().pid()),
          System.nanoTime());
    }

    void addTo(BenchReport report, int commands) throws IOException {
      WarmUp.Cpu nodeNow = WarmUp.Cpu.ofAll(nodePids);
      WarmUp.Cpu loadNow = WarmUp.Cpu.of(ProcessHandle.current().pid());
      double elapsed = System.nanoTime() - startNanos;
      long nodeNanos = nodeNow.processNanos() - node.processNanos();
      report.result(
          "node_cpu_percent",
          "node CPU (all nodes together) while the commands flow, % of one core",
          nodeNanos * 100.0 / elapsed,
          "%");
      report.result(
          "node_cpu_per_command_ms",
          "node CPU per command",
          commands == 0 ? Double.NaN : nodeNanos / 1e6 / commands,
          "ms");
      report.result(
          "node_jit_percent",
          "the nodes' JIT compilers' part of that CPU",
          WarmUp.compilerPercent(node, nodeNow),
          "%");
      report.result(
          "load_cpu_percent",
          "this JVM (HTTP client and agents) meanwhile, % of one core",
          (loadNow.processNanos() - load.processNanos()) * 100.0 / elapsed,
          "%");
    }
  }

  /**
   * Commands submitted {@code rate} a second, round-robin over the agents and each to one of {@code
   * apis} drawn at random, up to {@code limit} or until stopped, with at most {@code inFlight}
   * awaiting their answers, as a client with a bounded connection pool would: an unbounded client
   * opens a connection for each request waiting, and once the node falls behind it spends itself
   * accepting connections. A command waiting for room counts its latency from when it was due, so
   * the wait is measured, not hidden. Each config is marked with {@code round} and its index, so
   * none repeats the config an agent already has from a round before (the node would answer that it
   * was applied, and send nothing).
   */
  private static final class CommandStream {

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
      long deadline =
          System.nanoTime() + OperatorApiClient.REQUEST_TIMEOUT.plusSeconds(5).toNanos();
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
                        submission.dispatchId = answer.field("id");
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

  /**
   * Warms the node's command path under the load it is measured at: commands at the rate until at
   * least {@code least} were sent and then the node's JIT compilers have gone quiet while they flow
   * (at most {@code timeout}). Waiting for the JIT with no commands flowing ends as soon as nothing
   * new is called, not when the path is compiled: warmed that way at 250 commands/s, C2 was still
   * compiling the route, the entity's dispatch and the envelope write in the round measured, a
   * third of the node's CPU.
   */
  private static Round warmUp(
      ConnectedFleet connected,
      CommandLedger ledger,
      int rate,
      int least,
      int inFlight,
      Duration timeout,
      BenchReport report)
      throws Exception {
    CommandStream stream =
        CommandStream.start(
            "warm-up",
            connected.apis(),
            ledger,
            connected.agents(),
            rate,
            Integer.MAX_VALUE,
            inFlight);
    while (stream.sent() < least && !connected.agents().isEmpty()) {
      Thread.sleep(100);
    }
    WarmUp.awaitAndReport("node_warm_up_s", "every node", connected.pids(), timeout, report);
    return stream.stop();
  }

  /**
   * Waits at most {@code drain} for every accepted command to arrive (configs: to be reported on);
   * true if all did.
   */
  private static boolean awaitOutstanding(
      CommandLedger ledger, List<Submission> accepted, Duration drain) throws InterruptedException {
    long restarts = accepted.stream().filter(s -> !s.remoteConfig).count();
    long configs = accepted.size() - restarts;
    long deadline = System.nanoTime() + drain.toNanos();
    while (ledger.restartReceipt.size() < restarts
        || ledger.configApplied.size() + ledger.configsFailed.get() < configs) {
      if (System.nanoTime() >= deadline) {
        return false;
      }
      Thread.sleep(200);
    }
    return true;
  }

  private static void results(
      BenchReport report,
      CommandLedger ledger,
      List<Submission> accepted,
      Summary summary,
      OperatorApiClient api) {
    long restarts = accepted.stream().filter(s -> !s.remoteConfig).count();
    long configs = accepted.size() - restarts;
    report.result("agents_connected", "agents that held a session", summary.agentsConnected(), "");
    report.result(
        "restarts_received",
        "restarts received / accepted",
        ratio(ledger.restartReceipt.size(), restarts),
        "%");
    Percentiles.addTo(
        report,
        "restart_receipt",
        "restart: submit to receipt",
        Percentiles.sorted(ledger.restartReceipt));
    report.result(
        "configs_received",
        "remote configs received / accepted",
        ratio(ledger.configReceipt.size(), configs),
        "%");
    Percentiles.addTo(
        report,
        "config_receipt",
        "remote config: submit to receipt",
        Percentiles.sorted(ledger.configReceipt));
    report.result(
        "configs_applied",
        "remote configs reported APPLIED / accepted",
        ratio(ledger.configApplied.size(), configs),
        "%");
    Percentiles.addTo(
        report,
        "config_applied",
        "remote config: submit to the agent's APPLIED report",
        Percentiles.sorted(ledger.configApplied));
    report.note(
        "an agent takes 50-250 ms (at random) to apply a config before it reports APPLIED, as the simulator's agents do;"
            + " submit-to-APPLIED includes that");
    report.note(
        "remote-config dispatch states in the API at the end: " + dispatchStates(api, accepted));
    if (!summary.errors().isEmpty()) {
      report.note("errors the agents saw: " + summary.errors());
    }
  }

  /**
   * The API's own view: each config dispatch's state (APPLIED once the node saw the agent's
   * report).
   */
  private static SortedMap<String, Integer> dispatchStates(
      OperatorApiClient api, List<Submission> accepted) {
    SortedMap<String, Integer> states = new TreeMap<>();
    for (Submission submission : accepted) {
      if (!submission.remoteConfig) {
        continue;
      }
      try {
        String state = api.get("/api/envelopes/" + submission.dispatchId).field("state");
        states.merge(state == null ? "unreadable" : state, 1, Integer::sum);
      } catch (Exception e) {
        states.merge("no answer", 1, Integer::sum);
      }
    }
    return states;
  }

  private static double ratio(long part, long whole) {
    return whole == 0 ? Double.NaN : part * 100.0 / whole;
  }
}
