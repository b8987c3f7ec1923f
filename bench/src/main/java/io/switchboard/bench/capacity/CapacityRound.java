package io.switchboard.bench.capacity;

import io.switchboard.bench.BenchThreads;
import io.switchboard.bench.cluster.LocalCluster;
import io.switchboard.bench.cluster.LocalNode;
import io.switchboard.bench.cluster.OperatorApiClient;
import io.switchboard.bench.fleet.FleetParameters;
import io.switchboard.bench.fleet.SimulatorJvms;
import io.switchboard.bench.report.BenchReport;
import io.switchboard.bench.report.JvmProbe;
import io.switchboard.bench.report.WarmUp;
import io.switchboard.fleetsim.SimulatorSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One round of the capacity scenario: K node processes on the bench's PostgreSQL, the fleet spread
 * over them (agent i of each simulator to node i mod K), and four windows read with {@link
 * Counters}: the fleet heartbeating; the same with a few more agents changing their health {@code
 * statusChanges} times a second (after {@code commandWarmUp} of that unmeasured); the fleet
 * heartbeating while restart commands go to random nodes' APIs at {@code commandRate} (after {@code
 * commandWarmUp} of them unmeasured); the nodes idle once the fleet has gone. Each node's heap
 * after full GCs before the agents and with them.
 */
final class CapacityRound {

  /** The knobs every round shares. */
  record Settings(
      FleetParameters fleet,
      int churnAgents,
      double statusChanges,
      int commandRate,
      Duration commandWarmUp,
      Duration warmUpTimeout,
      Duration settle,
      Duration idleWindow,
      Duration heartbeatWindow,
      Duration window) {}

  /**
   * What one round measured.
   *
   * @param idleHeapBytes each node's heap after full GCs before any agent
   * @param heapBytes each node's heap after full GCs with the fleet connected
   * @param sessions each node's WebSocket sessions (its gauge) with the fleet connected
   */
  record Result(
      String label,
      int nodes,
      int agents,
      Window idle,
      long[] idleHeapBytes,
      double connectedAfterSeconds,
      Window heartbeats,
      long[] heapBytes,
      double[] sessions,
      Window statusChanges,
      Window commands,
      int commandsAccepted,
      String loadAverages) {

    long heapTotal() {
      long total = 0;
      for (long bytes : heapBytes) {
        total += bytes;
      }
      return total;
    }

    long idleHeapTotal() {
      long total = 0;
      for (long bytes : idleHeapBytes) {
        total += bytes;
      }
      return total;
    }
  }

  private CapacityRound() {}

  static Result run(
      String label, int nodeCount, List<String> nodeOptions, Settings settings, BenchReport report)
      throws Exception {
    FleetParameters fleet = settings.fleet();
    String loads = "start " + loadAverage();
    try (LocalCluster cluster =
            LocalCluster.startOnSharedDatabase(
                "capacity-" + label, nodeCount, fleet.maxHeap(), nodeOptions);
        Counters counters = Counters.open(cluster)) {
      List<LocalNode> nodes = cluster.nodes();
      long[] idleHeap = heaps(nodes);
      List<String> targets = nodes.stream().map(LocalNode::opampUrl).toList();
      Duration runFor =
          fleet
              .connectTimeout()
              .plus(settings.warmUpTimeout())
              .plus(settings.heartbeatWindow())
              .plus(settings.commandWarmUp().multipliedBy(2))
              .plus(settings.window().multipliedBy(2))
              .plus(settings.settle().multipliedBy(6))
              .plus(Duration.ofSeconds(300));
      try (SimulatorJvms fleetJvms =
          SimulatorJvms.start(
              "capacity-" + label, fleet, targets, SimulatorSettings.ReconnectTo.SAME, runFor)) {
        double connectedAfter = awaitConnected(fleetJvms, fleet.agents(), fleet.connectTimeout());
        System.out.printf("bench: %s: every agent connected after %.0f s%n", label, connectedAfter);
        WarmUp.awaitAndReport(
            label + "_warm_up_s",
            label + ": every node",
            cluster.pids(),
            settings.warmUpTimeout(),
            report);
        loads += ", warm " + loadAverage();
        long[] heap = heaps(nodes);
        double[] sessions =
            nodes.stream()
                .mapToDouble(node -> node.websocketSessions().orElse(Double.NaN))
                .toArray();
        Thread.sleep(settings.settle().toMillis());
        Window heartbeats = measure(counters, settings.heartbeatWindow());
        System.out.printf(
            "bench: %s: heartbeating fleet %.1f%% of a core (JIT left out), %.0f messages/s%n",
            label, heartbeats.coresWithoutJit() * 100, heartbeats.framesPerSecond());

        Window status = statusWindow(label, targets, runFor, counters, settings, report);
        loads += ", after the status changes " + loadAverage();
        Thread.sleep(settings.settle().toMillis());
        AtomicInteger accepted = new AtomicInteger();
        Window commands = commandWindow(nodes, counters, settings, accepted);
        loads += ", after the commands " + loadAverage();
        fleetJvms.stop(report);
        // The nodes' own cost, read once they are warm and the fleet has gone: cluster gossip,
        // Kamon, timers and the shard leases they still hold, which a running cluster pays
        // whatever its fleet. Read before the agents instead, it carried the nodes' start-up.
        Thread.sleep(settings.settle().multipliedBy(2).toMillis());
        Window idle = measure(counters, settings.idleWindow());
        System.out.printf(
            "bench: %s: %d nodes idle (warm, the fleet gone) at %.1f%% of a core together%n",
            label, nodeCount, idle.coresWithoutJit() * 100);
        return new Result(
            label,
            nodeCount,
            fleet.agents(),
            idle,
            idleHeap,
            connectedAfter,
            heartbeats,
            heap,
            sessions,
            status,
            commands,
            accepted.get(),
            loads);
      }
    }
  }

  /**
   * A few more agents ({@code churnAgents}, a simulator of their own) that change their health
   * {@code statusChanges} times a second between them; measured once they are connected and
   * settled.
   */
  private static Window statusWindow(
      String label,
      List<String> targets,
      Duration runFor,
      Counters counters,
      Settings settings,
      BenchReport report)
      throws Exception {
    FleetParameters fleet = settings.fleet();
    FleetParameters churners =
        new FleetParameters(
            settings.churnAgents(),
            fleet.maxHeap(),
            Duration.ofSeconds(2),
            fleet.heartbeat(),
            1,
            fleet.connectTimeout(),
            1,
            "384m");
    try (SimulatorJvms churn =
        SimulatorJvms.start(
            "capacity-" + label + "-status",
            churners,
            targets,
            SimulatorSettings.ReconnectTo.SAME,
            runFor,
            List.of("--churn-per-second", Double.toString(settings.statusChanges())))) {
      awaitConnected(churn, settings.churnAgents(), fleet.connectTimeout());
      // As for commands: the status path, and on several nodes its remote hops, compiled first.
      Thread.sleep(settings.settle().plus(settings.commandWarmUp()).toMillis());
      Window window = measure(counters, settings.window());
      System.out.printf(
          "bench: %s: with %.0f status changes/s, %.1f%% of a core, %.0f status messages/s%n",
          label,
          settings.statusChanges(),
          window.coresWithoutJit() * 100,
          window.statusPerSecond());
      churn.stop(report);
      return window;
    }
  }

  /**
   * Restart commands at {@code commandRate} to the first page of agents, each to a node's API drawn
   * at random, at most 64 awaiting an answer: for {@code commandWarmUp} unmeasured (the command
   * path, and on several nodes its remote hops, compiled before they are measured), then for the
   * window, which spans the measured ones.
   */
  private static Window commandWindow(
      List<LocalNode> nodes, Counters counters, Settings settings, AtomicInteger accepted)
      throws Exception {
    List<OperatorApiClient> apis =
        nodes.stream().map(node -> new OperatorApiClient(node.apiPort())).toList();
    List<String> uids = new ArrayList<>();
    apis.get(0)
        .get("/api/agents?limit=1000&connection_state=CONNECTED")
        .expect(200, "GET /api/agents")
        .body()
        .path("agents")
        .forEach(agent -> uids.add(agent.path("instance_uid").asText()));
    if (uids.isEmpty()) {
      throw new IllegalStateException("GET /api/agents listed no connected agent");
    }
    AtomicInteger warmUpAccepted = new AtomicInteger();
    sendCommands(apis, uids, settings.commandRate(), settings.commandWarmUp(), warmUpAccepted);
    Counters.Reading before = counters.read();
    int total = sendCommands(apis, uids, settings.commandRate(), settings.window(), accepted);
    // The deliveries the last answers caused land within a moment.
    Thread.sleep(1_000);
    Window window = Window.between(before, counters.read());
    System.out.printf(
        "bench: %d of %d commands accepted (%d warm-up commands before); %.1f%% of a core%n",
        accepted.get(), total, warmUpAccepted.get(), window.coresWithoutJit() * 100);
    return window;
  }

  /** Sends {@code rate} restarts a second for {@code duration}, then awaits their answers. */
  private static int sendCommands(
      List<OperatorApiClient> apis,
      List<String> uids,
      int rate,
      Duration duration,
      AtomicInteger accepted)
      throws InterruptedException {
    int total = (int) (rate * duration.toSeconds());
    Semaphore room = new Semaphore(64);
    AtomicInteger due = new AtomicInteger();
    ScheduledExecutorService ticker = BenchThreads.daemonScheduler("bench-capacity-commands");
    ticker.scheduleAtFixedRate(
        () -> {
          int index = due.getAndIncrement();
          if (index >= total) {
            return;
          }
          room.acquireUninterruptibly();
          apis.get(ThreadLocalRandom.current().nextInt(apis.size()))
              .sendAsync("POST", "/api/agents/" + uids.get(index % uids.size()) + "/restart", null)
              .whenComplete(
                  (answer, failure) -> {
                    room.release();
                    if (failure == null && answer.status() == 202) {
                      accepted.incrementAndGet();
                    }
                  });
        },
        0,
        1_000_000_000L / rate,
        TimeUnit.NANOSECONDS);
    Thread.sleep(duration.toMillis());
    ticker.shutdownNow();
    room.acquire(64);
    return total;
  }

  private static Window measure(Counters counters, Duration window) throws Exception {
    Counters.Reading before = counters.read();
    Thread.sleep(window.toMillis());
    return Window.between(before, counters.read());
  }

  private static long[] heaps(List<LocalNode> nodes) throws Exception {
    long[] heaps = new long[nodes.size()];
    for (int i = 0; i < heaps.length; i++) {
      heaps[i] = JvmProbe.heapUsedAfterFullGc(nodes.get(i).pid());
    }
    return heaps;
  }

  private static double awaitConnected(SimulatorJvms jvms, int agents, Duration timeout)
      throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    while (jvms.progress().connectedNow() < agents && System.nanoTime() < deadline) {
      Thread.sleep(250);
    }
    if (jvms.progress().connectedNow() < agents) {
      throw new IllegalStateException(
          jvms.progress().connectedNow() + " of " + agents + " agents connected after " + timeout);
    }
    return (System.nanoTime() - start) / 1e9;
  }

  /** The machine's 1-minute load average: other work on it shows here. */
  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (Exception e) {
      return "unknown";
    }
  }
}
