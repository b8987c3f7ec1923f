package io.switchboard.bench.scenario;

import io.switchboard.bench.BenchProperties;
import io.switchboard.bench.cluster.LocalNode;
import io.switchboard.bench.cluster.OperatorApiClient;
import io.switchboard.bench.fleet.ConnectedFleet;
import io.switchboard.bench.fleet.FleetParameters;
import io.switchboard.bench.report.BenchReport;
import io.switchboard.bench.report.Percentiles;
import io.switchboard.bench.report.WarmUp;
import io.switchboard.fleetsim.Summary;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

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
        CommandStream.Round warmUp =
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
      CommandStream.Round measured =
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
   * Warms the node's command path under the load it is measured at: commands at the rate until at
   * least {@code least} were sent and then the node's JIT compilers have gone quiet while they flow
   * (at most {@code timeout}). Waiting for the JIT with no commands flowing ends as soon as nothing
   * new is called, not when the path is compiled: warmed that way at 250 commands/s, C2 was still
   * compiling the route, the entity's dispatch and the envelope write in the round measured, a
   * third of the node's CPU.
   */
  private static CommandStream.Round warmUp(
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
      CommandLedger ledger, List<CommandLedger.Submission> accepted, Duration drain)
      throws InterruptedException {
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
      List<CommandLedger.Submission> accepted,
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
      OperatorApiClient api, List<CommandLedger.Submission> accepted) {
    SortedMap<String, Integer> states = new TreeMap<>();
    for (CommandLedger.Submission submission : accepted) {
      if (!submission.remoteConfig) {
        continue;
      }
      try {
        String state = api.get("/api/envelopes/" + submission.envelopeId).field("state");
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
