package io.switchboard.it.opamp;

import static io.switchboard.testkit.AgentMessages.fullState;
import static io.switchboard.testkit.AgentMessages.heartbeat;
import static io.switchboard.testkit.AgentMessages.newUid;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.switchboard.node.SwitchboardNode;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.opamp.proto.AgentToServerFlags;
import io.switchboard.opamp.proto.ComponentHealth;
import io.switchboard.opamp.proto.ServerCapabilities;
import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.opamp.proto.ServerToAgentFlags;
import io.switchboard.testkit.HttpProbe;
import io.switchboard.testkit.RawAgent;
import io.switchboard.testkit.TestNodes;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * OpAMP over a real WebSocket to a whole node, driven frame by frame: what the agent's entity
 * answers, how it asks for full state, what it stores, and how it fences a second connection. The
 * gateway's own refusals and close codes are tested in opamp-gateway ({@code OpampWireTest}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpampWebSocketEndToEndTest {

  private SwitchboardNode node;

  @BeforeAll
  void startNode() {
    node = SwitchboardNode.start(TestNodes.config());
  }

  @AfterAll
  void stopNode() {
    node.close();
  }

  @Test
  void everyMessageIsAnsweredAndTheFirstReplyCarriesTheServerCapabilities() throws Exception {
    ByteString uid = newUid();
    try (RawAgent agent = RawAgent.connect(node.opampPort())) {
      agent.send(fullState(uid, 1, "wire-test"));
      ServerToAgent first = agent.receive();

      assertEquals(uid, first.getInstanceUid());
      assertTrue(
          (first.getCapabilities() & ServerCapabilities.ServerCapabilities_AcceptsStatus_VALUE)
              != 0,
          "the server says it accepts status");
      assertEquals(
          0, first.getFlags() & ServerToAgentFlags.ServerToAgentFlags_ReportFullState_VALUE);

      agent.send(heartbeat(uid, 2));
      ServerToAgent second = agent.receive();
      assertEquals(uid, second.getInstanceUid());
      assertEquals(
          0, second.getFlags() & ServerToAgentFlags.ServerToAgentFlags_ReportFullState_VALUE);
    }
  }

  @Test
  void aSequenceGapIsAnsweredWithReportFullState() throws Exception {
    ByteString uid = newUid();
    try (RawAgent agent = RawAgent.connect(node.opampPort())) {
      agent.send(fullState(uid, 1, "wire-test"));
      agent.receive();

      agent.send(heartbeat(uid, 5));

      ServerToAgent reply = agent.receive();
      assertEquals(
          ServerToAgentFlags.ServerToAgentFlags_ReportFullState_VALUE,
          reply.getFlags() & ServerToAgentFlags.ServerToAgentFlags_ReportFullState_VALUE);

      agent.send(fullState(uid, 6, "wire-test"));
      assertEquals(
          0,
          agent.receive().getFlags() & ServerToAgentFlags.ServerToAgentFlags_ReportFullState_VALUE);
    }
  }

  @Test
  void anAgentTheServerHasNoStateForIsAskedForFullState() throws Exception {
    try (RawAgent agent = RawAgent.connect(node.opampPort())) {
      agent.send(heartbeat(newUid(), 41));

      assertEquals(
          ServerToAgentFlags.ServerToAgentFlags_ReportFullState_VALUE,
          agent.receive().getFlags() & ServerToAgentFlags.ServerToAgentFlags_ReportFullState_VALUE);
    }
  }

  @Test
  void omittedSubMessagesLeaveTheStoredStateUnchanged() throws Exception {
    ByteString uid = newUid();
    String instanceUid = InstanceUid.toText(uid);
    try (RawAgent agent = RawAgent.connect(node.opampPort())) {
      agent.send(fullState(uid, 1, "wire-test"));
      agent.receive();
      for (int seq = 2; seq <= 3; seq++) {
        agent.send(heartbeat(uid, seq));
        agent.receive();
      }
      // Plain heartbeats are written once per last-seen interval; a health report at once.
      agent.send(
          heartbeat(uid, 4).toBuilder()
              .setHealth(ComponentHealth.newBuilder().setHealthy(true))
              .build());
      agent.receive();

      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () -> {
                var stored = HttpProbe.getJson(node.apiPort(), "/api/agents/" + instanceUid);
                assertEquals(4, stored.path("sequence_num").asLong());
                assertEquals(
                    "wire-test",
                    stored
                        .path("description")
                        .path("identifying_attributes")
                        .path("service.name")
                        .asText());
              });
    }
  }

  @Test
  void anAgentThatAsksForAnInstanceUidIsServedUnderItsNewIdOnTheSameConnection() throws Exception {
    ByteString oldUid = newUid();
    try (RawAgent agent = RawAgent.connect(node.opampPort())) {
      agent.send(
          fullState(oldUid, 1, "wire-test").toBuilder()
              .setFlags(AgentToServerFlags.AgentToServerFlags_RequestInstanceUid_VALUE)
              .build());
      ByteString newUid = agent.receive().getAgentIdentification().getNewInstanceUid();
      assertEquals(16, newUid.size());

      agent.send(fullState(newUid, 2, "wire-test"));
      assertEquals(newUid, agent.receive().getInstanceUid());

      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () -> {
                assertEquals(
                    "CONNECTED",
                    HttpProbe.getJson(node.apiPort(), "/api/agents/" + InstanceUid.toText(newUid))
                        .path("connection_state")
                        .asText());
                assertEquals(
                    "DISCONNECTED",
                    HttpProbe.getJson(node.apiPort(), "/api/agents/" + InstanceUid.toText(oldUid))
                        .path("connection_state")
                        .asText());
              });
    }
  }

  @Test
  void theSameAgentOnASecondConnectionTakesOverAndTheFirstIsClosed() throws Exception {
    ByteString uid = newUid();
    try (RawAgent first = RawAgent.connect(node.opampPort());
        RawAgent second = RawAgent.connect(node.opampPort())) {
      first.send(fullState(uid, 1, "wire-test"));
      first.receive();

      second.send(fullState(uid, 2, "wire-test"));
      assertEquals(uid, second.receive().getInstanceUid());

      assertEquals(
          1000, first.closeCode().get(10, TimeUnit.SECONDS), "a fenced session closes normally");
      second.send(heartbeat(uid, 3));
      assertEquals(uid, second.receive().getInstanceUid(), "the newer connection keeps the agent");
    }
  }

  @Test
  void agentsThatAcceptConnectionSettingsAreToldTheFleetHeartbeatInterval() throws Exception {
    try (RawAgent agent = RawAgent.connect(node.opampPort())) {
      agent.send(
          fullState(newUid(), 1, "wire-test").toBuilder()
              .setCapabilities(0x1 | 0x100 | 0x2000)
              .build());

      ServerToAgent reply = agent.receive();
      assertEquals(30, reply.getConnectionSettings().getOpamp().getHeartbeatIntervalSeconds());
      assertTrue(
          (reply.getCapabilities()
                  & ServerCapabilities.ServerCapabilities_OffersConnectionSettings_VALUE)
              != 0);
    }
  }
}
