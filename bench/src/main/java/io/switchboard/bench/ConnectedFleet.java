package io.switchboard.bench;

import com.google.protobuf.ByteString;
import io.switchboard.fleetsim.AgentObserver;
import io.switchboard.fleetsim.FleetSimulator;
import io.switchboard.fleetsim.Summary;
import io.switchboard.opamp.proto.RemoteConfigStatuses;
import io.switchboard.opamp.proto.ServerToAgent;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * One node process (its own embedded PostgreSQL) and N simulated agents in this JVM, every agent
 * connected and known to the node: where the scenarios that send agents something through the
 * operator API start. The sessions held are sampled into the report each second until closed.
 */
final class ConnectedFleet implements AutoCloseable {

  /** How long the node may take to write the records of agents that connected. */
  private static final Duration RECORDS_TIMEOUT = Duration.ofSeconds(60);

  private final LocalNode node;
  private final FleetSimulator simulator;
  private final SessionSampler sampler;
  private final OperatorApiClient api;
  private final BenchReport report;
  private List<String> agents = List.of();

  private ConnectedFleet(LocalNode node, FleetSimulator simulator, SessionSampler sampler, BenchReport report) {
    this.node = node;
    this.simulator = simulator;
    this.sampler = sampler;
    this.api = new OperatorApiClient(node.apiPort());
    this.report = report;
  }

  /**
   * Starts node {@code nodeName} (with {@code nodeOptions} for its JVM) and the fleet (running at
   * most {@code runFor}), then waits until every agent holds a session and the node has a record
   * of each. {@code observer} sees what the agents see; the sampled seconds count from {@code
   * startNanos}, as the scenario's own times do.
   */
  static ConnectedFleet start(
      String nodeName,
      List<String> nodeOptions,
      FleetParameters fleet,
      Duration runFor,
      long startNanos,
      AgentObserver observer,
      BenchReport report)
      throws Exception {
    LocalNode node =
        LocalNode.start(nodeName, fleet.maxHeap(), new LocalNode.Database.Embedded(Ports.free()), Ports.free(), Optional.empty(), nodeOptions);
    ConnectedFleet connected = null;
    try {
      node.awaitHealthy(Duration.ofSeconds(180));
      System.out.printf("bench: node up (pid %d); %d agents%n", node.pid(), fleet.agents());
      SessionLog sessions = new SessionLog(observer);
      FleetSimulator simulator = FleetSimulator.start(fleet.simulator(node.opampUrl(), runFor), sessions);
      SessionSampler sampler =
          new SessionSampler(
              startNanos,
              at -> {
                report.sessions("simulator: agents holding a session", at, simulator.progress().connectedNow());
                node.websocketSessions().ifPresent(count -> report.sessions(node.gaugeSeries(), at, count));
              });
      connected = new ConnectedFleet(node, simulator, sampler, report);
      connected.agents = connected.awaitConnected(fleet.connectTimeout(), sessions);
      return connected;
    } catch (Exception | Error e) {
      try {
        if (connected != null) {
          connected.close();
        } else {
          node.close();
        }
      } catch (Exception closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
  }

  private List<String> awaitConnected(Duration connectTimeout, SessionLog sessions) throws Exception {
    long deadline = System.nanoTime() + connectTimeout.toNanos();
    while (simulator.progress().allConnectedAfter().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    if (simulator.progress().allConnectedAfter().isEmpty()) {
      report.note("not every agent connected within " + connectTimeout + ": the scenario goes on with those that did");
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
      OperatorApiClient.Answer preview = api.post("/api/selectors/preview", OperatorApiClient.object());
      matching = preview.body().path("matching").asInt();
      if (preview.status() == 200 && matching >= expected) {
        return;
      }
      Thread.sleep(500);
    }
    report.note("the node had records of " + matching + " of the " + expected + " connected agents after " + RECORDS_TIMEOUT);
  }

  LocalNode node() {
    return node;
  }

  OperatorApiClient api() {
    return api;
  }

  /** The instance uids of the agents that held a session, in the order they first did. */
  List<String> agents() {
    return agents;
  }

  /** The simulator's numbers so far. */
  Summary progress() {
    return simulator.progress();
  }

  /** Stops sampling, the agents (waiting for their goodbyes) and the node. */
  @Override
  public void close() throws Exception {
    sampler.close();
    LocalNode.noteIfGaugeMissing(report, List.of(node));
    try {
      simulator.stop();
      simulator.summary().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } finally {
      node.close();
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
        String instanceUid, ByteString configHash, RemoteConfigStatuses status, long reportedNanos) {
      scenario.remoteConfigReported(instanceUid, configHash, status, reportedNanos);
    }
  }
}
