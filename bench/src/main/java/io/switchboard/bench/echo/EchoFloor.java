package io.switchboard.bench.echo;

import io.switchboard.bench.BenchPaths;
import io.switchboard.bench.ChildJvm;
import io.switchboard.bench.cluster.Ports;
import io.switchboard.bench.fleet.FleetParameters;
import io.switchboard.bench.report.BenchReport;
import io.switchboard.bench.report.SessionSampler;
import io.switchboard.bench.report.SteadyState;
import io.switchboard.bench.report.WarmUp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The same number of WebSocket connections held by the bare echo server in its own JVM (same heap
 * limit, same source addresses, same heartbeat), measured like the node; the report gives the
 * node's cost as a multiple of it.
 */
public final class EchoFloor {

  static final String SERIES = "echo floor: connections held (its own time axis)";

  private EchoFloor() {}

  public static SteadyState measure(
      FleetParameters fleet,
      Duration warmUpTimeout,
      Duration settle,
      Duration window,
      Duration idleWindow,
      BenchReport report)
      throws Exception {
    int connections = fleet.agents();
    int port = Ports.free();
    Path log = BenchPaths.logDirectory().resolve("echo-server.log");
    try (ChildJvm server =
        ChildJvm.start(
            "echo-server",
            List.of("-Xmx" + fleet.maxHeap(), "-Xms" + fleet.maxHeap()),
            BenchPaths.benchClasspath(),
            EchoServer.class.getName(),
            List.of(Integer.toString(port)),
            Map.of(),
            log,
            () -> {})) {
      awaitListening(server, log, Duration.ofSeconds(60));
      SteadyState.Idle idle = SteadyState.Idle.measure(server.pid(), idleWindow);
      System.out.printf(
          "bench: echo floor idle heap %.1f MiB, idle CPU %.1f%% of a core; %d connections%n",
          SteadyState.mib(idle.heapBytes()), idle.cpuPercentOfCore(), connections);
      try (EchoFleet clients =
              new EchoFleet(
                  "ws://127.0.0.1:" + port + "/v1/opamp",
                  connections,
                  fleet.rampUp(),
                  fleet.heartbeat(),
                  fleet.sourceAddresses());
          SessionSampler sampler =
              new SessionSampler(
                  seconds -> report.sessions(SERIES, seconds, clients.connectedNow()))) {
        long deadline = System.nanoTime() + fleet.connectTimeout().toNanos();
        while (clients.connectedNow() < connections && System.nanoTime() < deadline) {
          Thread.sleep(200);
        }
        double connectedAfter = sampler.secondsSinceStart();
        boolean all = clients.connectedNow() >= connections;
        report.result(
            "echo_all_connected_after_s",
            "echo floor: every connection answered after",
            all ? connectedAfter : Double.NaN,
            "s");
        report.result(
            "echo_retries", "echo floor: connection attempts retried", clients.retries(), "");
        WarmUp.awaitAndReport(
            "echo_warm_up_s", "echo floor", List.of(server.pid()), warmUpTimeout, report);
        SteadyState steady =
            SteadyState.measure(server.pid(), clients.connectedNow(), idle, settle, window);
        System.out.printf(
            "bench: echo floor %d connections, %.1f KiB heap each, %.1f%% of a core%n",
            steady.connections(), steady.heapPerConnectionKib(), steady.cpuPercentOfCore());
        return steady;
      }
    }
  }

  private static void awaitListening(ChildJvm server, Path log, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!server.isAlive()) {
        throw new IllegalStateException("the echo server exited; see " + log);
      }
      if (Files.readString(log).contains("echo server listening")) {
        return;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(
        "the echo server did not start within " + timeout + "; see " + log);
  }
}
