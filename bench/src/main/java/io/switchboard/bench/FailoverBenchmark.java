package io.switchboard.bench;

import io.switchboard.fleetsim.FleetSimulator;
import io.switchboard.fleetsim.Summary;
import io.switchboard.persistence.Database;
import io.switchboard.persistence.EmbeddedDatabase;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code failover}: a cluster of three node processes on one shared PostgreSQL (embedded, started
 * by the bench), N simulated agents through a loopback TCP balancer, then one node SIGKILLed.
 * Reports how long until every agent holds a session again, and the sessions each second.
 */
final class FailoverBenchmark {

  static final String DESCRIPTION =
      "Three node processes on one PostgreSQL behind a loopback TCP balancer, N WebSocket agents; one node is"
          + " SIGKILLed and its agents come back through the survivors.";

  private static final int NODES = 3;
  /** The node that is killed: not the seed, so that the survivors keep the seed node. */
  private static final int DOOMED = 1;

  private FailoverBenchmark() {}

  static void run() throws Exception {
    FleetParameters fleet = FleetParameters.read("1g");
    Duration settle = BenchProperties.duration("settle", "10s");
    Duration recoveryTimeout = BenchProperties.duration("recoveryTimeout", "180s");

    BenchReport report = new BenchReport("failover", DESCRIPTION, Instant.now());
    fleet.addTo(report, "heap limit per node");
    report.parameter("nodes", NODES);
    report.parameter("wait before the kill, every agent connected (-Dsettle)", settle);
    report.parameter("recovery timeout (-DrecoveryTimeout)", recoveryTimeout);
    report.parameter("cores", Runtime.getRuntime().availableProcessors());

    Path dataDir = Files.createTempDirectory("switchboard-bench-failover-db");
    try (EmbeddedDatabase database = EmbeddedDatabase.start(dataDir.resolve("postgres"), Ports.free())) {
      // Migrated once here, so that three nodes starting together do not race for it.
      Database.migrate(database.endpoint());
      String url = "postgresql://postgres@127.0.0.1:" + database.endpoint().hosts().get(0).port() + "/postgres";
      List<LocalNode> nodes = new ArrayList<>();
      try {
        int seed = Ports.free();
        for (int i = 0; i < NODES; i++) {
          nodes.add(
              LocalNode.start(
                  "failover-node-" + i, fleet.maxHeap(), new LocalNode.Database.Shared(url), i == 0 ? seed : Ports.free(), Optional.of(seed), List.of()));
        }
        for (LocalNode node : nodes) {
          node.awaitHealthy(Duration.ofSeconds(240));
        }
        System.out.printf("bench: %d nodes up; %d agents%n", NODES, fleet.agents());
        measure(nodes, fleet, settle, recoveryTimeout, report);
        LocalNode.noteIfGaugeMissing(report, nodes);
      } finally {
        nodes.forEach(LocalNode::close);
      }
    }
    report.publish();
  }

  private static void measure(
      List<LocalNode> nodes, FleetParameters fleet, Duration settle, Duration recoveryTimeout, BenchReport report)
      throws Exception {
    List<InetSocketAddress> backends = new ArrayList<>();
    for (LocalNode node : nodes) {
      URI opamp = URI.create(node.opampUrl());
      backends.add(new InetSocketAddress(opamp.getHost(), opamp.getPort()));
    }
    Set<Integer> down = ConcurrentHashMap.newKeySet();
    try (LoopbackBalancer balancer = new LoopbackBalancer(backends)) {
      Duration runFor = fleet.connectTimeout().plus(settle).plus(recoveryTimeout).plus(Duration.ofSeconds(60));
      FleetSimulator simulator = FleetSimulator.start(fleet.simulator(balancer.url("/v1/opamp"), runFor));
      try (SessionSampler sampler =
          new SessionSampler(
              seconds -> {
                report.sessions("simulator: agents holding a session", seconds, simulator.progress().connectedNow());
                for (int i = 0; i < nodes.size(); i++) {
                  if (down.contains(i)) {
                    continue;
                  }
                  LocalNode node = nodes.get(i);
                  // The balancer's health check, once a second as a load balancer's would be.
                  if (!healthy(node)) {
                    down.add(i);
                    balancer.markDown(backends.get(i));
                    continue;
                  }
                  node.websocketSessions().ifPresent(count -> report.sessions(node.gaugeSeries(), seconds, count));
                }
              })) {
        long deadline = System.nanoTime() + fleet.connectTimeout().toNanos();
        while (simulator.progress().allConnectedAfter().isEmpty() && System.nanoTime() < deadline) {
          Thread.sleep(200);
        }
        Summary storm = simulator.progress();
        System.out.println("bench: " + storm.progressLine());
        report.result(
            "all_connected_after_s",
            "every agent held a session after (ramp-up included)",
            storm.allConnectedAfter().map(d -> d.toMillis() / 1000.0).orElse(Double.NaN),
            "s");
        Thread.sleep(settle.toMillis());
        long reconnectsBefore = simulator.progress().reconnects();
        int connectedBefore = simulator.progress().connectedNow();

        double killedAt = sampler.secondsSinceStart();
        long killNanos = System.nanoTime();
        nodes.get(DOOMED).kill();
        System.out.printf("bench: %s SIGKILLed at %.1f s with %d agents connected%n", nodes.get(DOOMED).name(), killedAt, connectedBefore);
        report.note(String.format("%s was SIGKILLed %.1f s into the run", nodes.get(DOOMED).name(), killedAt));

        int lowest = connectedBefore;
        boolean dropped = false;
        long recoveryDeadline = killNanos + recoveryTimeout.toNanos();
        double recoveredAfter = Double.NaN;
        List<long[]> afterKill = new ArrayList<>();
        while (System.nanoTime() < recoveryDeadline) {
          int now = simulator.progress().connectedNow();
          afterKill.add(new long[] {System.nanoTime() - killNanos, now});
          lowest = Math.min(lowest, now);
          dropped |= now < connectedBefore;
          if (dropped && now >= fleet.agents()) {
            recoveredAfter = (System.nanoTime() - killNanos) / 1e9;
            break;
          }
          Thread.sleep(100);
        }
        Summary after = simulator.progress();
        report.result("connected_before_kill", "agents holding a session before the kill", connectedBefore, "");
        report.result("lowest_after_kill", "fewest agents holding a session after the kill", lowest, "");
        for (int percent : new int[] {50, 90}) {
          report.result(
              "recovered_" + percent + "_percent_after_s",
              percent + "% of the agents that lost their session back, after the kill",
              backAfterSeconds(afterKill, lowest, connectedBefore, percent),
              "s");
        }
        report.result("recovered_after_s", "every agent holding a session again, after the kill", recoveredAfter, "s");
        report.result("reconnects_after_kill", "connection attempts after the kill", after.reconnects() - reconnectsBefore, "");
        report.result("connected_at_end", "agents holding a session at the end", after.connectedNow(), "");
        if (!after.errors().isEmpty()) {
          report.note("errors the agents saw: " + after.errors());
        }
        System.out.println("bench: " + after.progressLine());
      } finally {
        simulator.stop();
        simulator.summary().toCompletableFuture().get(60, TimeUnit.SECONDS);
      }
    }
    report.note(
        "the balancer takes a node out once its /api/health fails (probed each second); agents reconnect with the"
            + " simulator's jittered backoff, 1 s doubling");
  }

  /**
   * Seconds after the kill until {@code percent} of the sessions lost (from before the kill down
   * to the lowest point) were held again; NaN if that never happened within the recovery timeout.
   */
  private static double backAfterSeconds(List<long[]> afterKill, int lowest, int before, int percent) {
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

  private static boolean healthy(LocalNode node) {
    try {
      return LocalNode.get(node.apiPort(), "/api/health").statusCode() == 200;
    } catch (Exception e) {
      return false;
    }
  }
}
