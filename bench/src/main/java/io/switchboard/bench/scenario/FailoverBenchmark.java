package io.switchboard.bench.scenario;

import io.switchboard.bench.BenchProperties;
import io.switchboard.bench.cluster.LocalCluster;
import io.switchboard.bench.cluster.LocalNode;
import io.switchboard.bench.fleet.FleetParameters;
import io.switchboard.bench.fleet.SimulatorJvms;
import io.switchboard.bench.report.BenchReport;
import io.switchboard.bench.report.JvmProbe;
import io.switchboard.bench.report.SessionSampler;
import io.switchboard.bench.report.SteadyState;
import io.switchboard.bench.report.WarmUp;
import io.switchboard.fleetsim.SimulatorSettings;
import io.switchboard.fleetsim.Summary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code failover}: a local cluster of {@code -Dnodes} node processes on one shared PostgreSQL
 * (embedded, started by the bench), N simulated agents from {@code -Dsimulators} fleet-sim JVMs
 * connecting straight to the nodes. Reports each node's sessions, heap and CPU once every agent is
 * connected and the nodes are warm ({@link WarmUp}), then SIGKILLs one node and reports how long
 * until every agent holds a session again, with the sessions each second.
 *
 * <p>Agent i of each simulator goes to node i mod K, and an agent that loses its connection goes to
 * another node drawn at random (fleet-sim's {@code --reconnect-to other}), as agents configured
 * with every node's address would. No balancer stands in front: one process proxying the fleet
 * would hold two descriptors per agent, and a process here may have 20,000 open files.
 */
public final class FailoverBenchmark {

  static final String DESCRIPTION =
      "K node processes on one PostgreSQL, N WebSocket agents from S simulator JVMs straight to the nodes; each"
          + " node's sessions, heap and CPU in steady state, then one node is SIGKILLed and its agents come back"
          + " through the survivors.";

  /** The node that is killed: not the seed, so that the survivors keep the seed node. */
  private static final int DOOMED = 1;

  /**
   * A node turns agents away beyond this many WebSocket sessions (SWITCHBOARD_OPAMP_MAX_SESSIONS's
   * default).
   */
  private static final int NODE_MAX_SESSIONS = 19_000;

  private static final Pattern OPEN_FILES =
      Pattern.compile("^Max open files\\s+(\\d+)", Pattern.MULTILINE);

  private FailoverBenchmark() {}

  /**
   * How long the run waits once every agent is connected (at most {@code warmUpTimeout} for the
   * nodes' JIT compilers to go quiet, then {@code settle}), measures the steady state, and waits
   * for the recovery after the kill.
   */
  private record Phases(
      Duration warmUpTimeout, Duration settle, Duration steady, Duration recoveryTimeout) {}

  public static void run() throws Exception {
    FleetParameters fleet = FleetParameters.read("1g");
    int nodeCount = BenchProperties.integer("nodes", 3);
    if (nodeCount < 3) {
      // Seen with two: the survivor, on the higher address, downed itself and every agent was lost.
      throw new IllegalArgumentException(
          "-Dnodes="
              + nodeCount
              + ": a failover needs at least three nodes; the nodes' Split Brain Resolver keeps the majority, and the one"
              + " survivor of two is none (it stays up only if its address is the lower one)");
    }
    Phases phases =
        new Phases(
            WarmUp.timeout(),
            BenchProperties.duration("settle", "10s"),
            BenchProperties.duration("steady", "30s"),
            BenchProperties.duration("recoveryTimeout", "180s"));
    Duration idleWindow = BenchProperties.duration("idleWindow", "10s");

    BenchReport report = new BenchReport("failover", DESCRIPTION, Instant.now());
    fleet.addTo(report, "heap limit per node");
    fleet.addSimulatorsTo(report);
    report.parameter("nodes (-Dnodes)", nodeCount);
    WarmUp.addTo(report, phases.warmUpTimeout());
    report.parameter(
        "wait once the nodes are warm, before the steady-state measurement (-Dsettle)",
        phases.settle());
    report.parameter("steady-state CPU window, before the kill (-Dsteady)", phases.steady());
    report.parameter("idle CPU window, before the agents (-DidleWindow)", idleWindow);
    report.parameter("recovery timeout (-DrecoveryTimeout)", phases.recoveryTimeout());
    report.parameter("cores", Runtime.getRuntime().availableProcessors());
    warnIfSurvivorsCannotHoldTheFleet(fleet.agents(), nodeCount, report);

    try (LocalCluster cluster =
        LocalCluster.start("failover-node", nodeCount, fleet.maxHeap(), List.of())) {
      List<LocalNode> nodes = cluster.nodes();
      List<SteadyState.Idle> idle =
          onEveryNode(nodes, node -> SteadyState.Idle.measure(node.pid(), idleWindow));
      System.out.printf(
          "bench: %d nodes up; %d agents from %d simulator JVMs%n",
          nodeCount, fleet.agents(), fleet.simulators());
      measure(nodes, idle, fleet, phases, report);
      LocalNode.noteIfGaugeMissing(report, nodes);
    }
    report.publish();
  }

  private static void measure(
      List<LocalNode> nodes,
      List<SteadyState.Idle> idle,
      FleetParameters fleet,
      Phases phases,
      BenchReport report)
      throws Exception {
    List<String> targets = nodes.stream().map(LocalNode::opampUrl).toList();
    // Long enough for the storm, the warm-up, the steady state (its full GCs included), the
    // recovery and some slack; stopped early below.
    Duration runFor =
        fleet
            .connectTimeout()
            .plus(phases.warmUpTimeout())
            .plus(phases.settle())
            .plus(phases.steady())
            .plus(phases.recoveryTimeout())
            .plus(Duration.ofSeconds(120));
    try (SimulatorJvms simulators =
        SimulatorJvms.start(
            "failover", fleet, targets, SimulatorSettings.ReconnectTo.OTHER, runFor)) {
      try (SessionSampler sampler =
          new SessionSampler(
              seconds -> {
                report.sessions(
                    "simulators: agents holding a session",
                    seconds,
                    simulators.progress().connectedNow());
                // A killed node's scrape fails at once, and it simply has no more samples.
                for (LocalNode node : nodes) {
                  node.websocketSessions()
                      .ifPresent(count -> report.sessions(node.gaugeSeries(), seconds, count));
                }
              })) {
        stormSteadyStateAndKill(nodes, idle, simulators, sampler, fleet, phases, report);
      }
      Summary end = simulators.stop(report);
      report.note(
          "simulators' summary after the agents' goodbyes: "
              + end.toJson().replaceAll("\\s+", " "));
    }
    report.note(
        "agents connect straight to the nodes (agent i of each simulator to node i mod "
            + nodes.size()
            + ") and reconnect to another node drawn at random, with fleet-sim's jittered backoff (1 s doubling);"
            + " the simulators' numbers are at most "
            + SimulatorJvms.REPORT_EVERY.toMillis()
            + " ms old, which bounds how exactly a recovery is timed");
  }

  /** The connect storm, each node's steady state, then the kill and the recovery. */
  private static void stormSteadyStateAndKill(
      List<LocalNode> nodes,
      List<SteadyState.Idle> idle,
      SimulatorJvms simulators,
      SessionSampler sampler,
      FleetParameters fleet,
      Phases phases,
      BenchReport report)
      throws Exception {
    long deadline = System.nanoTime() + fleet.connectTimeout().toNanos();
    while (simulators.progress().allConnectedAfter().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    Summary storm = simulators.progress();
    System.out.println("bench: " + storm.progressLine());
    report.result(
        "all_connected_after_s",
        "every agent held a session after (ramp-up included; the slowest simulator's)",
        storm.allConnectedAfter().map(d -> d.toMillis() / 1000.0).orElse(Double.NaN),
        "s");

    WarmUp.awaitAndReport(
        "nodes_warm_up_s",
        "every node",
        nodes.stream().map(LocalNode::pid).toList(),
        phases.warmUpTimeout(),
        report);
    steadyState(nodes, idle, simulators, phases, report);

    long reconnectsBefore = simulators.progress().reconnects();
    int connectedBefore = simulators.progress().connectedNow();
    LocalNode doomed = nodes.get(DOOMED);
    Optional<Double> doomedSessions = doomed.websocketSessions();
    double killedAt = sampler.secondsSinceStart();
    long killNanos = System.nanoTime();
    doomed.kill();
    System.out.printf(
        "bench: %s SIGKILLed at %.1f s with %d agents connected%n",
        doomed.name(), killedAt, connectedBefore);
    report.note(
        String.format(
            "%s was SIGKILLed %.1f s into the run, holding %s sessions (its gauge)",
            doomed.name(),
            killedAt,
            doomedSessions
                .map(count -> String.format("%.0f", count))
                .orElse("an unknown number of")));

    int lowest = connectedBefore;
    boolean dropped = false;
    long recoveryDeadline = killNanos + phases.recoveryTimeout().toNanos();
    double recoveredAfter = Double.NaN;
    List<long[]> afterKill = new ArrayList<>();
    while (System.nanoTime() < recoveryDeadline) {
      int now = simulators.progress().connectedNow();
      afterKill.add(new long[] {System.nanoTime() - killNanos, now});
      lowest = Math.min(lowest, now);
      dropped |= now < connectedBefore;
      if (dropped && now >= fleet.agents()) {
        recoveredAfter = (System.nanoTime() - killNanos) / 1e9;
        break;
      }
      Thread.sleep(100);
    }
    Summary after = simulators.progress();
    report.result(
        "connected_before_kill", "agents holding a session before the kill", connectedBefore, "");
    report.result(
        "lowest_after_kill", "fewest agents holding a session after the kill", lowest, "");
    for (int percent : new int[] {50, 90}) {
      report.result(
          "recovered_" + percent + "_percent_after_s",
          percent + "% of the agents that lost their session back, after the kill",
          backAfterSeconds(afterKill, lowest, connectedBefore, percent),
          "s");
    }
    report.result(
        "recovered_after_s",
        "every agent holding a session again, after the kill",
        recoveredAfter,
        "s");
    report.result(
        "reconnects_after_kill",
        "connection attempts after the kill",
        after.reconnects() - reconnectsBefore,
        "");
    report.result(
        "connected_at_end", "agents holding a session at the end", after.connectedNow(), "");
    if (!after.errors().isEmpty()) {
      report.note("errors the agents saw: " + after.errors());
    }
    System.out.println("bench: " + after.progressLine());
  }

  /**
   * Each node's sessions, heap after full GCs and CPU over the window, all nodes measured at once
   * so that each sees the same load; the simulators' own CPU over the same time.
   */
  private static void steadyState(
      List<LocalNode> nodes,
      List<SteadyState.Idle> idle,
      SimulatorJvms simulators,
      Phases phases,
      BenchReport report)
      throws Exception {
    List<Long> simulatorPids = simulators.pids();
    long simulatorCpuBefore = WarmUp.Cpu.ofAll(simulatorPids).processNanos();
    long start = System.nanoTime();
    List<SteadyState> states =
        onEveryNode(
            nodes,
            node -> {
              int index = nodes.indexOf(node);
              int sessions = node.websocketSessions().map(Double::intValue).orElse(0);
              return SteadyState.measure(
                  node.pid(), sessions, idle.get(index), phases.settle(), phases.steady());
            });
    double simulatorCpu =
        (WarmUp.Cpu.ofAll(simulatorPids).processNanos() - simulatorCpuBefore)
            * 100.0
            / (System.nanoTime() - start);
    long heapTotal = 0;
    double cpuTotal = 0;
    for (int i = 0; i < nodes.size(); i++) {
      String node = nodes.get(i).name();
      SteadyState state = states.get(i);
      report.result(
          "node_" + i + "_sessions",
          node + ": sessions in steady state (its gauge)",
          state.connections(),
          "");
      report.result(
          "node_" + i + "_heap_mib",
          node + ": heap after full GC, in steady state",
          SteadyState.mib(state.heapBytes()),
          "MiB");
      report.result(
          "node_" + i + "_heap_per_agent_kib",
          node + ": heap per agent, over its idle heap",
          state.heapPerConnectionKib(),
          "KiB");
      report.result(
          "node_" + i + "_cpu_percent_of_core",
          node + ": CPU in steady state",
          state.cpuPercentOfCore(),
          "% of a core");
      report.result(
          "node_" + i + "_jit_percent_of_cpu",
          node + ": JIT compiler threads' part of that CPU",
          state.compilerPercentOfCpu(),
          "%");
      System.out.printf(
          "bench: %s %d sessions, heap %.1f MiB (%.1f KiB per agent), %.1f%% of a core (JIT %.0f%% of it)%n",
          node,
          state.connections(),
          SteadyState.mib(state.heapBytes()),
          state.heapPerConnectionKib(),
          state.cpuPercentOfCore(),
          state.compilerPercentOfCpu());
      heapTotal += state.heapBytes();
      cpuTotal += state.cpuPercentOfCore();
    }
    report.result(
        "nodes_heap_mib",
        "all nodes: heap after full GC, in steady state",
        SteadyState.mib(heapTotal),
        "MiB");
    report.result(
        "nodes_cpu_percent_of_core", "all nodes: CPU in steady state", cpuTotal, "% of a core");
    report.result(
        "simulators_cpu_percent_of_core",
        "all simulator JVMs: CPU while the nodes were measured",
        simulatorCpu,
        "% of a core");
    // Taken after the nodes' window, so that these full GCs do not fall into it: what
    // -DsimulatorXmx must hold.
    long simulatorHeap = 0;
    for (long pid : simulatorPids) {
      simulatorHeap += JvmProbe.heapUsedAfterFullGc(pid);
    }
    int agents = simulators.progress().agentsRequested();
    report.result(
        "simulators_heap_mib",
        "all simulator JVMs: heap after full GC",
        SteadyState.mib(simulatorHeap),
        "MiB");
    report.result(
        "simulator_heap_per_agent_kib",
        "simulator JVMs: heap per agent, their base heap included",
        simulatorHeap / 1024.0 / agents,
        "KiB");
    report.note(
        "CPU is user + system time of each JVM from /proc/<pid>/stat; the shared PostgreSQL is not included. Heap is G1's"
            + " used heap after two GC.run (jcmd), taken on every node at once.");
  }

  /** What a measurement does with one node. */
  private interface NodeMeasurement<T> {
    T on(LocalNode node) throws Exception;
  }

  /** Runs {@code measurement} on every node at once; the results in the nodes' order. */
  private static <T> List<T> onEveryNode(List<LocalNode> nodes, NodeMeasurement<T> measurement)
      throws Exception {
    ExecutorService executor = Executors.newFixedThreadPool(nodes.size());
    try {
      List<Future<T>> running = new ArrayList<>();
      for (LocalNode node : nodes) {
        running.add(executor.submit(() -> measurement.on(node)));
      }
      List<T> results = new ArrayList<>();
      for (Future<T> result : running) {
        results.add(result.get());
      }
      return results;
    } finally {
      executor.shutdownNow();
    }
  }

  /**
   * Says so up front when the survivors cannot take the fleet: after the kill each must hold its
   * share of the agents, and a node turns agents away past its session limit, itself set below the
   * open files a process may have here.
   */
  private static void warnIfSurvivorsCannotHoldTheFleet(int agents, int nodes, BenchReport report)
      throws IOException {
    Matcher limit = OPEN_FILES.matcher(Files.readString(Path.of("/proc/self/limits")));
    long openFiles = limit.find() ? Long.parseLong(limit.group(1)) : Long.MAX_VALUE;
    // A node's own files (jars, its database pool, the cluster's sockets) take a few hundred.
    long perNode = Math.min(NODE_MAX_SESSIONS, openFiles - 1_000);
    long perSurvivor = (agents + nodes - 2) / (nodes - 1);
    if (perSurvivor > perNode) {
      String warning =
          String.format(
              "after the kill each of the %d surviving nodes must hold about %,d agents, more than a node's session"
                  + " limit (%,d by default) allows under the %d open files of a process here: expect agents turned"
                  + " away; -Dnodes=%d keeps the survivors under it",
              nodes - 1,
              perSurvivor,
              NODE_MAX_SESSIONS,
              openFiles,
              (agents + perNode - 1) / perNode + 1);
      System.out.println("bench: warning: " + warning);
      report.note("warning: " + warning);
    }
  }

  /**
   * Seconds after the kill until {@code percent} of the sessions lost (from before the kill down to
   * the lowest point) were held again; NaN if that never happened within the recovery timeout.
   */
  private static double backAfterSeconds(
      List<long[]> afterKill, int lowest, int before, int percent) {
    long threshold = lowest + (long) Math.ceil((before - lowest) * percent / 100.0);
    boolean pastLowest = false;
    for (long[] sample : afterKill) {
      pastLowest |= sample[1] == lowest;
      if (pastLowest && sample[1] >= threshold) {
        return sample[0] / 1e9;
      }
    }
    return Double.NaN;
  }
}
