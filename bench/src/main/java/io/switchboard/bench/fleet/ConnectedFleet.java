package io.switchboard.bench.fleet;

import com.google.protobuf.ByteString;
import io.switchboard.bench.cluster.LocalCluster;
import io.switchboard.bench.cluster.LocalNode;
import io.switchboard.bench.cluster.OperatorApiClient;
import io.switchboard.bench.report.BenchReport;
import io.switchboard.bench.report.SessionSampler;
import io.switchboard.fleetsim.AgentObserver;
import io.switchboard.fleetsim.FleetSimulator;
import io.switchboard.fleetsim.Summary;
import io.switchboard.opamp.proto.RemoteConfigStatuses;
import io.switchboard.opamp.proto.ServerToAgent;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code -Dnodes} node processes ({@link LocalCluster}) and N simulated agents in this JVM, spread
 * round-robin over the nodes, every agent connected and known to the cluster: where the scenarios
 * that send agents something through the operator API start. The sessions held are sampled into the
 * report each second until closed.
 */
public final class ConnectedFleet implements AutoCloseable {

  /** How long the node may take to write the records of agents that connected. */
  private static final Duration RECORDS_TIMEOUT = Duration.ofSeconds(60);

  private final LocalCluster cluster;
  private final FleetSimulator simulator;
  private final SessionSampler sampler;
  private final List<OperatorApiClient> apis;
  private final BenchReport report;
  private List<String> agents = List.of();

  private ConnectedFleet(
      LocalCluster cluster, FleetSimulator simulator, SessionSampler sampler, BenchReport report) {
    this.cluster = cluster;
    this.simulator = simulator;
    this.sampler = sampler;
    this.apis =
        cluster.nodes().stream().map(node -> new OperatorApiClient(node.apiPort())).toList();
    this.report = report;
  }

  /**
   * Starts {@code nodeCount} nodes named after {@code nodeName} (with {@code nodeOptions} for their
   * JVMs) and the fleet (running at most {@code runFor}), then waits until every agent holds a
   * session and the cluster has a record of each. {@code observer} sees what the agents see; the
   * sampled seconds count from {@code startNanos}, as the scenario's own times do.
   */
  public static ConnectedFleet start(
      String nodeName,
      int nodeCount,
      List<String> nodeOptions,
      FleetParameters fleet,
      Duration runFor,
      long startNanos,
      AgentObserver observer,
      BenchReport report)
      throws Exception {
    LocalCluster cluster = LocalCluster.start(nodeName, nodeCount, fleet.maxHeap(), nodeOptions);
    ConnectedFleet connected = null;
    try {
      System.out.printf(
          "bench: %d node(s) up (pids %s); %d agents%n", nodeCount, cluster.pids(), fleet.agents());
      SessionLog sessions = new SessionLog(observer);
      List<String> targets = cluster.nodes().stream().map(LocalNode::opampUrl).toList();
      FleetSimulator simulator = FleetSimulator.start(fleet.simulator(targets, runFor), sessions);
      SessionSampler sampler =
          new SessionSampler(
              startNanos,
              at -> {
                report.sessions(
                    "simulator: agents holding a session", at, simulator.progress().connectedNow());
                for (LocalNode node : cluster.nodes()) {
                  node.websocketSessions()
                      .ifPresent(count -> report.sessions(node.gaugeSeries(), at, count));
                }
              });
      connected = new ConnectedFleet(cluster, simulator, sampler, report);
      connected.agents = connected.awaitConnected(fleet.connectTimeout(), sessions);
      return connected;
    } catch (Exception | Error e) {
      try {
        if (connected != null) {
          connected.close();
        } else {
          cluster.close();
        }
      } catch (Exception closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
  }

  private List<String> awaitConnected(Duration connectTimeout, SessionLog sessions)
      throws Exception {
    long deadline = System.nanoTime() + connectTimeout.toNanos();
    while (simulator.progress().allConnectedAfter().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    if (simulator.progress().allConnectedAfter().isEmpty()) {
      report.note(
          "not every agent connected within "
              + connectTimeout
              + ": the scenario goes on with those that did");
    }
    System.out.println("bench: " + simulator.progress().progressLine());
    List<String> uids = sessions.agents();
    awaitRecords(uids.size());
    return uids;
  }

  /**
   * The node writes a new agent's record shortly after its session starts, and commands and
   * selectors need it: waits until a selector of every agent matches as many as connected.
   */
  private void awaitRecords(int expected) throws Exception {
    long deadline = System.nanoTime() + RECORDS_TIMEOUT.toNanos();
    int matching = 0;
    while (System.nanoTime() < deadline) {
      OperatorApiClient.Answer preview =
          api().post("/api/selectors/preview", OperatorApiClient.object());
      matching = preview.body().path("matching").asInt();
      if (preview.status() == 200 && matching >= expected) {
        return;
      }
      Thread.sleep(500);
    }
    report.note(
        "the node had records of "
            + matching
            + " of the "
            + expected
            + " connected agents after "
            + RECORDS_TIMEOUT);
  }

  public List<LocalNode> nodes() {
    return cluster.nodes();
  }

  /** The nodes' process ids, in the nodes' order. */
  public List<Long> pids() {
    return cluster.pids();
  }

  /** The first node's operator API: any node's answers for the whole cluster. */
  public OperatorApiClient api() {
    return apis.get(0);
  }

  /** Every node's operator API, in the nodes' order. */
  public List<OperatorApiClient> apis() {
    return apis;
  }

  /** The instance uids of the agents that held a session, in the order they first did. */
  public List<String> agents() {
    return agents;
  }

  /** The simulator's numbers so far. */
  public Summary progress() {
    return simulator.progress();
  }

  /** Stops sampling, the agents (waiting for their goodbyes) and the nodes. */
  @Override
  public void close() throws Exception {
    sampler.close();
    LocalNode.noteIfGaugeMissing(report, cluster.nodes());
    try {
      simulator.stop();
      simulator.summary().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } finally {
      cluster.close();
    }
  }

  /** Notes which agents held a session, and passes everything on to the scenario's observer. */
  private static final class SessionLog implements AgentObserver {
    private final AgentObserver scenario;
    private final Queue<String> sessions = new ConcurrentLinkedQueue<>();

    SessionLog(AgentObserver scenario) {
      this.scenario = scenario;
    }

    /** Each agent once, though it may have had several sessions. */
    List<String> agents() {
      return sessions.stream().distinct().toList();
    }

    @Override
    public void sessionStarted(String instanceUid) {
      sessions.add(instanceUid);
      scenario.sessionStarted(instanceUid);
    }

    @Override
    public void commandReceived(String instanceUid, ServerToAgent message, long receivedNanos) {
      scenario.commandReceived(instanceUid, message, receivedNanos);
    }

    @Override
    public void remoteConfigReported(
        String instanceUid,
        ByteString configHash,
        RemoteConfigStatuses status,
        long reportedNanos) {
      scenario.remoteConfigReported(instanceUid, configHash, status, reportedNanos);
    }
  }
}
