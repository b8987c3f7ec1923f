package io.switchboard.it.cluster;

import static io.switchboard.testkit.AgentMessages.fullState;
import static io.switchboard.testkit.AgentMessages.newUid;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.switchboard.node.SwitchboardNode;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.opamp.proto.AgentToServer;
import io.switchboard.opamp.proto.CommandType;
import io.switchboard.opamp.proto.RemoteConfigStatus;
import io.switchboard.opamp.proto.RemoteConfigStatuses;
import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.opamp.proto.ServerToAgentCommand;
import io.switchboard.testkit.HttpProbe;
import io.switchboard.testkit.RawAgent;
import io.switchboard.testkit.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Node B of three crashes (no leaving, no hand-off: its actor system just stops). Its agents come
 * back through node A, their entities start again on the survivors and take their desired config
 * back from PostgreSQL, and every command submitted before or during the crash reaches its agent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterFailoverTest {

  /** Short enough that a dead node's leases run out and it is downed within a test's patience. */
  private static final Map<String, Object> FAST_FAILOVER =
      Map.of(
          "pekko.cluster.split-brain-resolver.stable-after", "3s",
          "switchboard.lease.heartbeat-timeout", "4s",
          "switchboard.lease.heartbeat-interval", "1s",
          "pekko.cluster.sharding.lease-retry-interval", "1s",
          "switchboard.api.ask-timeout", "2s");

  private static final long CAPABILITIES = 0x1 | 0x2 | 0x400;
  private static final String CONFIG =
      "{\"config_map\": {\"collector.yaml\": {\"content_type\": \"text/yaml\", \"body\": \"receivers: {}\"}}}";

  private final ObjectMapper json = new ObjectMapper();
  private TestDatabase database;
  private SwitchboardNode a;
  private SwitchboardNode b;
  private SwitchboardNode c;

  @BeforeAll
  void startCluster() throws Exception {
    database = TestDatabase.start();
    a = SwitchboardNode.start(TestCluster.nodeConfig(database.url(), List.of(), FAST_FAILOVER));
    List<String> seed = List.of(TestCluster.address(a));
    Map<String, Object> crashable = new LinkedHashMap<>(FAST_FAILOVER);
    // Crash semantics: terminating the actor system runs none of the leaving steps.
    crashable.put("pekko.coordinated-shutdown.run-by-actor-system-terminate", "off");
    b = SwitchboardNode.start(TestCluster.nodeConfig(database.url(), seed, crashable));
    c = SwitchboardNode.start(TestCluster.nodeConfig(database.url(), seed, FAST_FAILOVER));
    await().atMost(Duration.ofSeconds(30)).until(() -> TestCluster.upMembers(a) == 3);
    await().atMost(Duration.ofSeconds(30)).until(() -> TestCluster.shardRegions(a) == 3);
  }

  @AfterAll
  void stopCluster() {
    for (SwitchboardNode node : new SwitchboardNode[] {c, a}) {
      if (node != null) {
        node.close();
      }
    }
    database.close();
  }

  @Test
  void afterANodeCrashesItsAgentsComeBackWithTheirStateAndNoCommandIsLost() throws Exception {
    Map<String, ByteString> agents = new LinkedHashMap<>();
    Map<String, RawAgent> onB = new LinkedHashMap<>();
    for (int i = 0; i < 30; i++) {
      ByteString uid = newUid();
      RawAgent agent = RawAgent.connect(b.opampPort());
      agent.send(report(uid, 1));
      agent.receive();
      agents.put(InstanceUid.toText(uid), uid);
      onB.put(InstanceUid.toText(uid), agent);
    }
    Set<String> entitiesOnB = TestCluster.entitiesOn(b);
    List<String> hostedOnB = agents.keySet().stream().filter(entitiesOnB::contains).toList();
    assertTrue(
        hostedOnB.size() >= 3, "sharding placed " + hostedOnB.size() + " of 30 entities on node B");
    String configured = hostedOnB.get(0);
    String offline = hostedOnB.get(1);
    String duringCrash = hostedOnB.get(2);

    // Before the crash: a config the agent applies, and a restart for an agent that has gone away.
    String configDispatch = submit(configured, "PUT", "/remote-config", CONFIG);
    ServerToAgent config = onB.get(configured).receive();
    onB.get(configured).send(applied(agents.get(configured), config));
    awaitState(configDispatch, "APPLIED");
    onB.remove(offline).close();
    String offlineRestart = submit(offline, "POST", "/restart", "");
    assertEquals("PENDING", dispatch(offlineRestart).path("state").asText());

    long crashedAt = System.nanoTime();
    b.system().terminate();
    onB.values().forEach(RawAgent::close);
    String restartDuringCrash = submit(duringCrash, "POST", "/restart", "");

    // Every agent reconnects through node A, as a load balancer would send it, with its full state
    // but (as after its own restart) without the config status it reported before. Like a real
    // agent it says so again at its next heartbeat while nothing answers: messages sent towards the
    // dead node before it is downed are lost.
    Map<String, RawAgent> onA = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, ByteString> agent : agents.entrySet()) {
        RawAgent reconnected = RawAgent.connect(a.opampPort());
        reconnected.send(report(agent.getValue(), 1));
        onA.put(agent.getKey(), reconnected);
      }
      Map<String, List<ServerToAgent>> answers = firstAnswers(onA, agents);
      long recoveredMillis = (System.nanoTime() - crashedAt) / 1_000_000;
      System.out.printf(
          "ClusterFailoverTest: all %d agents answered through node A %d ms after node B crashed%n",
          agents.size(), recoveredMillis);

      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                for (String uid : agents.keySet()) {
                  var agent = HttpProbe.getJson(a.apiPort(), "/api/agents/" + uid);
                  assertEquals("CONNECTED", agent.path("connection_state").asText(), uid);
                  assertEquals(TestCluster.address(a), agent.path("owner_node").asText(), uid);
                }
              });
      assertTrue(
          receivesRemoteConfig(onA.get(configured), answers.get(configured)),
          "the desired config comes back from PostgreSQL with the entity's new incarnation");
      assertEquals(
          CommandType.CommandType_Restart,
          nextCommand(onA.get(offline), answers.get(offline)).getType(),
          "submitted before the crash");
      assertEquals(
          CommandType.CommandType_Restart,
          nextCommand(onA.get(duringCrash), answers.get(duringCrash)).getType(),
          "submitted during the crash");
      awaitState(offlineRestart, "SENT");
      awaitState(restartDuringCrash, "SENT");
      assertEquals(
          "0",
          database.queryForString(
              "SELECT count(*) FROM dispatch_envelopes WHERE state = 'PENDING'"),
          "no command is left waiting");
    } finally {
      onA.values().forEach(RawAgent::close);
    }
  }

  /**
   * Every agent heartbeats (every 2 s, with its full state) until the server answers it; returns
   * the first answers each got.
   */
  private Map<String, List<ServerToAgent>> firstAnswers(
      Map<String, RawAgent> connected, Map<String, ByteString> uids) throws Exception {
    Map<String, List<ServerToAgent>> answers = new LinkedHashMap<>();
    long seq = 1;
    for (int round = 0; round < 30 && answers.size() < connected.size(); round++) {
      seq++;
      // The round lasts one heartbeat interval: the first agent still waiting waits that long.
      Duration patience = Duration.ofSeconds(2);
      for (Map.Entry<String, RawAgent> agent : connected.entrySet()) {
        if (answers.containsKey(agent.getKey())) {
          continue;
        }
        Optional<ServerToAgent> answer = agent.getValue().poll(patience);
        patience = Duration.ZERO;
        if (answer.isPresent()) {
          answers.put(agent.getKey(), new ArrayList<>(List.of(answer.get())));
        } else {
          agent.getValue().send(report(uids.get(agent.getKey()), seq));
        }
      }
    }
    assertEquals(connected.size(), answers.size(), "agents answered within 60 s");
    return answers;
  }

  private static boolean receivesRemoteConfig(RawAgent agent, List<ServerToAgent> seen)
      throws Exception {
    if (seen.stream().anyMatch(ServerToAgent::hasRemoteConfig)) {
      return true;
    }
    for (Optional<ServerToAgent> next = agent.poll(Duration.ofSeconds(10));
        next.isPresent();
        next = agent.poll(Duration.ofSeconds(10))) {
      if (next.get().hasRemoteConfig()) {
        return true;
      }
    }
    return false;
  }

  private AgentToServer report(ByteString uid, long seq) {
    return fullState(uid, seq, "failover").toBuilder().setCapabilities(CAPABILITIES).build();
  }

  private AgentToServer applied(ByteString uid, ServerToAgent config) {
    return AgentToServer.newBuilder()
        .setInstanceUid(uid)
        .setSequenceNum(2)
        .setCapabilities(CAPABILITIES)
        .setRemoteConfigStatus(
            RemoteConfigStatus.newBuilder()
                .setLastRemoteConfigHash(config.getRemoteConfig().getConfigHash())
                .setStatus(RemoteConfigStatuses.RemoteConfigStatuses_APPLIED))
        .build();
  }

  /** Submits through node A; returns the envelope's id. */
  private String submit(String uid, String method, String action, String body) throws Exception {
    var response = HttpProbe.send(a.apiPort(), method, "/api/agents/" + uid + action, body);
    assertEquals(202, response.statusCode(), response.body());
    return json.readTree(response.body()).path("id").asText();
  }

  private JsonNode dispatch(String id) {
    return HttpProbe.getJson(a.apiPort(), "/api/envelopes/" + id);
  }

  private void awaitState(String dispatch, String state) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> dispatch(dispatch).path("state").asText().equals(state));
  }

  private static ServerToAgentCommand nextCommand(RawAgent agent, List<ServerToAgent> seen)
      throws InterruptedException {
    Optional<ServerToAgent> already = seen.stream().filter(ServerToAgent::hasCommand).findFirst();
    if (already.isPresent()) {
      return already.get().getCommand();
    }
    ServerToAgent message = agent.receive(Duration.ofSeconds(30));
    while (!message.hasCommand()) {
      message = agent.receive(Duration.ofSeconds(30));
    }
    return message.getCommand();
  }
}
