package io.switchboard.bench.scenario;

import io.switchboard.bench.BenchProperties;
import io.switchboard.bench.cluster.LocalNode;
import io.switchboard.bench.cluster.Ports;
import io.switchboard.bench.echo.EchoFloor;
import io.switchboard.bench.fleet.FleetParameters;
import io.switchboard.bench.fleet.SimulatorJvms;
import io.switchboard.bench.report.BenchReport;
import io.switchboard.bench.report.SessionSampler;
import io.switchboard.bench.report.SteadyState;
import io.switchboard.bench.report.WarmUp;
import io.switchboard.fleetsim.SimulatorSettings;
import io.switchboard.fleetsim.Summary;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * {@code connect-storm}: one node process (embedded PostgreSQL, sign-in off) and N simulated
 * WebSocket agents from {@code -Dsimulators} fleet-sim JVMs, connecting over the ramp-up from
 * several loopback addresses. Reports how long until every agent held a session, the retries on the
 * way, the sessions each second (the simulators' count and the node's gauge), the node's heap per
 * agent and CPU once every agent is connected and the node is warm ({@link WarmUp}), and the same
 * for the bare echo server holding as many connections.
 */
public final class ConnectStormBenchmark {

  static final String DESCRIPTION =
      "One node process and N simulated WebSocket agents connecting at once; the same N connections held by a bare"
          + " Pekko HTTP echo server are the floor.";

  private ConnectStormBenchmark() {}

  public static void run() throws Exception {
    FleetParameters fleet = FleetParameters.read("2g");
    Duration settle = BenchProperties.duration("settle", "5s");
    Duration steady = BenchProperties.duration("steady", "30s");
    Duration idleWindow = BenchProperties.duration("idleWindow", "10s");
    Duration warmUpTimeout = WarmUp.timeout();

    BenchReport report = new BenchReport("connect-storm", DESCRIPTION, Instant.now());
    fleet.addTo(report, "node and echo server heap limit");
    fleet.addSimulatorsTo(report);
    WarmUp.addTo(report, warmUpTimeout);
    report.parameter("steady-state CPU window (-Dsteady)", steady);
    report.parameter("idle CPU window, before the connections (-DidleWindow)", idleWindow);
    report.parameter("cores", Runtime.getRuntime().availableProcessors());

    SteadyState node = measureNode(fleet, warmUpTimeout, settle, steady, idleWindow, report);
    SteadyState floor = EchoFloor.measure(fleet, warmUpTimeout, settle, steady, idleWindow, report);
    floorComparison(report, node, floor);
    report.publish();
  }

  private static SteadyState measureNode(
      FleetParameters fleet,
      Duration warmUpTimeout,
      Duration settle,
      Duration steady,
      Duration idleWindow,
      BenchReport report)
      throws Exception {
    try (LocalNode node =
        LocalNode.start(
            "connect-storm-node",
            fleet.maxHeap(),
            new LocalNode.Database.Embedded(Ports.free()),
            Ports.free(),
            Optional.empty(),
            List.of())) {
      node.awaitHealthy(Duration.ofSeconds(180));
      SteadyState.Idle idle = SteadyState.Idle.measure(node.pid(), idleWindow);
      System.out.printf(
          "bench: node up (pid %d), idle heap %.1f MiB, idle CPU %.1f%% of a core; %d agents%n",
          node.pid(), SteadyState.mib(idle.heapBytes()), idle.cpuPercentOfCore(), fleet.agents());
      // Long enough for the storm, the warm-up, the heap and CPU measurements, and some slack;
      // stopped early below.
      Duration runFor =
          fleet
              .connectTimeout()
              .plus(warmUpTimeout)
              .plus(settle)
              .plus(steady)
              .plus(Duration.ofSeconds(60));
      Summary summary;
      Summary end;
      SteadyState state;
      try (SimulatorJvms simulators =
          SimulatorJvms.start(
              "connect-storm",
              fleet,
              List.of(node.opampUrl()),
              SimulatorSettings.ReconnectTo.SAME,
              runFor)) {
        try (SessionSampler sampler =
            new SessionSampler(
                seconds -> {
                  report.sessions(
                      "simulators: agents holding a session",
                      seconds,
                      simulators.progress().connectedNow());
                  node.websocketSessions()
                      .ifPresent(count -> report.sessions(node.gaugeSeries(), seconds, count));
                  report.latency(
                      "node: GET /api/health round trip", seconds, healthRoundTripMillis(node));
                })) {
          long deadline = System.nanoTime() + fleet.connectTimeout().toNanos();
          while (simulators.progress().allConnectedAfter().isEmpty()
              && System.nanoTime() < deadline) {
            Thread.sleep(200);
          }
          Summary storm = simulators.progress();
          report.result(
              "all_connected_after_s",
              "every agent held a session after (ramp-up included; the slowest simulator's)",
              storm.allConnectedAfter().map(d -> d.toMillis() / 1000.0).orElse(Double.NaN),
              "s");
          System.out.println("bench: " + storm.progressLine());
          WarmUp.awaitAndReport(
              "node_warm_up_s", "node", List.of(node.pid()), warmUpTimeout, report);
          state =
              SteadyState.measure(
                  node.pid(), simulators.progress().connectedNow(), idle, settle, steady);
          summary = simulators.progress();
          LocalNode.noteIfGaugeMissing(report, List.of(node));
        }
        end = simulators.stop(report);
      }
      report.result(
          "agents_connected",
          "agents that held a session at least once",
          summary.agentsConnected(),
          "");
      report.result(
          "max_concurrent_sessions",
          "most agents holding a session at once",
          summary.maxConcurrentlyConnected(),
          "");
      report.result(
          "reconnects",
          "connection attempts retried (after an agent's first)",
          summary.reconnects(),
          "");
      report.result(
          "retry_afters_honoured",
          "times an agent waited as the server asked",
          summary.retryAftersHonoured(),
          "");
      report.result(
          "errors",
          "errors the agents saw until the steady state ended",
          summary.totalErrors(),
          "");
      if (!summary.errors().isEmpty()) {
        report.note("errors by kind until the steady state ended: " + summary.errors());
      }
      report.note(
          "simulators' summary after the agents' goodbyes: "
              + end.toJson().replaceAll("\\s+", " "));
      report.result(
          "node_idle_heap_mib",
          "node: heap after full GC, before the agents",
          SteadyState.mib(state.idle().heapBytes()),
          "MiB");
      report.result(
          "node_heap_mib",
          "node: heap after full GC, every agent connected",
          SteadyState.mib(state.heapBytes()),
          "MiB");
      report.result(
          "node_heap_per_agent_kib", "node: heap per agent", state.heapPerConnectionKib(), "KiB");
      report.result(
          "node_idle_cpu_percent_of_core",
          "node: CPU before the agents",
          state.idle().cpuPercentOfCore(),
          "% of a core");
      report.result(
          "node_cpu_percent_of_core",
          "node: CPU in steady state",
          state.cpuPercentOfCore(),
          "% of a core");
      report.result(
          "node_jit_percent_of_cpu",
          "node: JIT compiler threads' part of that CPU",
          state.compilerPercentOfCpu(),
          "%");
      System.out.printf(
          "bench: node %d sessions, %.1f KiB heap each, %.1f%% of a core (JIT %.0f%% of it)%n",
          state.connections(),
          state.heapPerConnectionKib(),
          state.cpuPercentOfCore(),
          state.compilerPercentOfCpu());
      return state;
    }
  }

  /** Adds the echo floor's numbers and the node's multiples of them. */
  static void floorComparison(BenchReport report, SteadyState node, SteadyState floor) {
    report.result(
        "echo_idle_heap_mib",
        "echo floor: heap after full GC, before the connections",
        SteadyState.mib(floor.idle().heapBytes()),
        "MiB");
    report.result(
        "echo_heap_per_connection_kib",
        "echo floor: heap per connection",
        floor.heapPerConnectionKib(),
        "KiB");
    report.result(
        "echo_idle_cpu_percent_of_core",
        "echo floor: CPU before the connections",
        floor.idle().cpuPercentOfCore(),
        "% of a core");
    report.result(
        "echo_cpu_percent_of_core",
        "echo floor: CPU in steady state",
        floor.cpuPercentOfCore(),
        "% of a core");
    report.result(
        "heap_ratio_to_floor",
        "node heap per agent / echo heap per connection",
        node.heapPerConnectionKib() / floor.heapPerConnectionKib(),
        "x");
    report.result(
        "cpu_ratio_to_floor",
        "node CPU / echo CPU (steady state)",
        node.cpuPercentOfCore() / floor.cpuPercentOfCore(),
        "x");
    report.result(
        "cpu_above_idle_ratio_to_floor",
        "node CPU above its idle / echo CPU above its idle",
        (node.cpuPercentOfCore() - node.idle().cpuPercentOfCore())
            / (floor.cpuPercentOfCore() - floor.idle().cpuPercentOfCore()),
        "x");
    report.note(
        "CPU is user + system time of the node's JVM from /proc/<pid>/stat; the embedded PostgreSQL runs as its own"
            + " processes and is not included. Heap is G1's used heap after two GC.run (jcmd).");
  }

  private static double healthRoundTripMillis(LocalNode node) {
    long start = System.nanoTime();
    try {
      LocalNode.get(node.apiPort(), "/api/health");
      return (System.nanoTime() - start) / 1e6;
    } catch (Exception e) {
      return Double.NaN;
    }
  }
}
