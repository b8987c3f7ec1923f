package io.switchboard.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.opamp.proto.AgentDescription;
import io.switchboard.opamp.proto.AgentToServer;
import io.switchboard.opamp.proto.AnyValue;
import io.switchboard.opamp.proto.CommandType;
import io.switchboard.opamp.proto.KeyValue;
import io.switchboard.opamp.proto.ServerErrorResponseType;
import io.switchboard.testkit.AgentMessages;
import io.switchboard.testkit.HttpProbe;
import io.switchboard.testkit.RawAgent;
import io.switchboard.testkit.TestDatabase;
import io.switchboard.testkit.TestNodes;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Starting, stopping and restarting a node on its embedded database. */
class NodeLifecycleTest {

  @Test
  void aRestartedNodeFindsItsAgentsAgainAndRecordedTheirDisconnect() throws Exception {
    Path dataDir = TestNodes.newDataDir();
    String instanceUid = UUID.randomUUID().toString();

    try (SwitchboardNode first = SwitchboardNode.start(TestNodes.config(dataDir, Map.of()));
        RawAgent agent = RawAgent.connect(first.opampPort())) {
      agent.send(
          AgentToServer.newBuilder()
              .setInstanceUid(InstanceUid.toBytes(instanceUid))
              .setSequenceNum(1)
              .setCapabilities(1)
              .setAgentDescription(
                  AgentDescription.newBuilder()
                      .addIdentifyingAttributes(
                          KeyValue.newBuilder()
                              .setKey("service.name")
                              .setValue(AnyValue.newBuilder().setStringValue("survivor"))))
              .build());
      agent.receive();
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () ->
                  assertEquals(
                      "CONNECTED",
                      HttpProbe.getJson(first.apiPort(), "/api/agents/" + instanceUid)
                          .path("connection_state")
                          .asText()));
    }

    try (SwitchboardNode second = SwitchboardNode.start(TestNodes.config(dataDir, Map.of()))) {
      JsonNode agent = HttpProbe.getJson(second.apiPort(), "/api/agents/" + instanceUid);
      assertEquals(
          "DISCONNECTED",
          agent.path("connection_state").asText(),
          "written while the first node shut down");
      assertEquals(
          "survivor", agent.at("/description/identifying_attributes/service.name").asText());
      assertEquals(
          List.of("CONNECTED", "DISCONNECTED"),
          column(
              second,
              "SELECT connection_state FROM agent_status_history WHERE instance_uid = ? ORDER BY state_version",
              instanceUid),
          "the history holds the connect and the disconnect, not every message");
    }
  }

  @Test
  void commandsSubmittedBeforeARestartReachTheirAgentsAfterIt() throws Exception {
    Path dataDir = TestNodes.newDataDir();
    ByteString uid = AgentMessages.newUid();
    String instanceUid = InstanceUid.toText(uid);
    AgentToServer restartable =
        AgentMessages.fullState(uid, 1, "restartable").toBuilder()
            .setCapabilities(0x1 | 0x400)
            .build();
    String dispatch;

    try (SwitchboardNode first = SwitchboardNode.start(TestNodes.config(dataDir, Map.of()))) {
      try (RawAgent agent = RawAgent.connect(first.opampPort())) {
        agent.send(restartable);
        agent.receive();
      }
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  HttpProbe.getJson(first.apiPort(), "/api/agents/" + instanceUid)
                      .path("connection_state")
                      .asText()
                      .equals("DISCONNECTED"));
      var submitted =
          HttpProbe.send(first.apiPort(), "POST", "/api/agents/" + instanceUid + "/restart", "");
      assertEquals(202, submitted.statusCode(), submitted.body());
      dispatch = new ObjectMapper().readTree(submitted.body()).path("id").asText();
    }

    try (SwitchboardNode second = SwitchboardNode.start(TestNodes.config(dataDir, Map.of()));
        RawAgent agent = RawAgent.connect(second.opampPort())) {
      agent.send(restartable);
      agent.receive();
      assertEquals(
          CommandType.CommandType_Restart,
          agent.receive().getCommand().getType(),
          "handed back by the sweep");
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  HttpProbe.getJson(second.apiPort(), "/api/envelopes/" + dispatch)
                      .path("state")
                      .asText()
                      .equals("SENT"));
    }
  }

  @Test
  void anEmbeddedNodesDataMovesToAnExternalDatabase() throws Exception {
    Path dataDir = TestNodes.newDataDir();
    var uid = AgentMessages.newUid();
    String instanceUid = InstanceUid.toText(uid);
    try (SwitchboardNode embedded = SwitchboardNode.start(TestNodes.config(dataDir, Map.of()));
        RawAgent agent = RawAgent.connect(embedded.opampPort())) {
      agent.send(AgentMessages.fullState(uid, 1, "moving"));
      agent.receive();
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  HttpProbe.get(embedded.apiPort(), "/api/agents/" + instanceUid).statusCode()
                      == 200);
    }

    try (TestDatabase external = TestDatabase.start()) {
      String url = external.url();
      Map<String, Long> copied =
          MoveToExternalDatabase.move(TestNodes.config(dataDir, Map.of()), url);
      assertEquals(1L, copied.get("agents"));

      try (SwitchboardNode moved =
          SwitchboardNode.start(
              TestNodes.config(TestNodes.newDataDir(), Map.of("switchboard.database.url", url)))) {
        JsonNode agent = HttpProbe.getJson(moved.apiPort(), "/api/agents/" + instanceUid);
        assertEquals(
            "moving", agent.at("/description/identifying_attributes/service.name").asText());
        assertEquals(
            List.of("CONNECTED", "DISCONNECTED"),
            column(
                moved,
                "SELECT connection_state FROM agent_status_history WHERE instance_uid = ? ORDER BY state_version",
                instanceUid));
      }
    }
  }

  private static List<String> column(SwitchboardNode node, String sql, String parameter)
      throws Exception {
    var endpoint = node.database().endpoint();
    try (var connection =
            DriverManager.getConnection(endpoint.jdbcUrl(), endpoint.user(), endpoint.password());
        var statement = connection.prepareStatement(sql)) {
      statement.setString(1, parameter);
      List<String> values = new ArrayList<>();
      try (var result = statement.executeQuery()) {
        while (result.next()) {
          values.add(result.getString(1));
        }
      }
      return values;
    }
  }

  @Test
  void aLeavingNodeSendsItsAgentsAwayInWaves() throws Exception {
    SwitchboardNode node = SwitchboardNode.start(TestNodes.config());
    List<RawAgent> agents = new ArrayList<>();
    try {
      for (int i = 0; i < 8; i++) {
        RawAgent agent = RawAgent.connect(node.opampPort());
        agent.send(AgentMessages.fullState(AgentMessages.newUid(), 1, "leaving"));
        agent.receive();
        agents.add(agent);
      }

      CompletableFuture<Void> leaving = CompletableFuture.runAsync(node::close);

      Set<Long> delays = new HashSet<>();
      for (RawAgent agent : agents) {
        var error = agent.receive().getErrorResponse();
        assertEquals(ServerErrorResponseType.ServerErrorResponseType_Unavailable, error.getType());
        long seconds =
            TimeUnit.NANOSECONDS.toSeconds(error.getRetryInfo().getRetryAfterNanoseconds());
        assertTrue(seconds >= 5 && seconds <= 35, "retry after " + seconds + " s");
        delays.add(error.getRetryInfo().getRetryAfterNanoseconds());
        agent.closeCode().get(10, TimeUnit.SECONDS);
      }
      assertTrue(delays.size() > 1, "agents are told different delays, so they come back in waves");
      leaving.get(60, TimeUnit.SECONDS);
    } finally {
      agents.forEach(RawAgent::close);
      node.close();
    }
  }

  @Test
  void aNodeThatIsNotAClusterMemberIsAliveButNotReady() {
    try (SwitchboardNode lonely =
        SwitchboardNode.start(TestNodes.config(Map.of("switchboard.cluster.join-self", false)))) {
      assertEquals(200, HttpProbe.get(lonely.managementPort(), "/alive").statusCode());
      assertTrue(HttpProbe.get(lonely.managementPort(), "/ready").statusCode() >= 500);
      assertEquals(503, HttpProbe.get(lonely.apiPort(), "/api/health").statusCode());
    }
  }
}
