package io.switchboard.node;

import static io.switchboard.testkit.AgentMessages.fullState;
import static io.switchboard.testkit.AgentMessages.heartbeat;
import static io.switchboard.testkit.AgentMessages.newUid;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.opamp.proto.AgentToServerFlags;
import io.switchboard.opamp.proto.ServerCapabilities;
import io.switchboard.opamp.proto.ServerErrorResponseType;
import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.opamp.proto.ServerToAgentFlags;
import io.switchboard.testkit.HttpProbe;
import io.switchboard.testkit.RawAgent;
import io.switchboard.testkit.TestNodes;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * OpAMP over a real WebSocket, driven frame by frame: what the server answers, how it asks for
 * full state, and what it does with frames that are not OpAMP.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpampWireTest {

  private static final int MAX_MESSAGE_BYTES = 64 * 1024;

  private SwitchboardNode node;

  @BeforeAll
  void startNode() {
    node = SwitchboardNode.start(TestNodes.config(Map.of("switchboard.opamp.max-message-size", MAX_MESSAGE_BYTES)));
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
          (first.getCapabilities() & ServerCapabilities.ServerCapabilities_AcceptsStatus_VALUE) != 0,
          "the server says it accepts status");
      assertEquals(0, first.getFlags() & ServerToAgentFlags.ServerToAgentFlags_ReportFullState_VALUE);

      agent.send(heartbeat(uid, 2));
      ServerToAgent second = agent.receive();
      assertEquals(uid, second.getInstanceUid());
      assertEquals(0, second.getFlags() & ServerToAgentFlags.ServerToAgentFlags_ReportFullState_VALUE);
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
      assertEquals(0, agent.receive().getFlags() & ServerToAgentFlags.ServerToAgentFlags_ReportFullState_VALUE);
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
      for (int seq = 2; seq <= 4; seq++) {
        agent.send(heartbeat(uid, seq));
        agent.receive();
      }

      await().atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () -> {
                var stored = HttpProbe.getJson(node.apiPort(), "/api/agents/" + instanceUid);
                assertEquals(4, stored.path("sequence_num").asLong());
                assertEquals(
                    "wire-test",
                    stored.path("description").path("identifying_attributes").path("service.name").asText());
              });
    }
  }

  @Test
  void garbageIsAnsweredWithBadRequestCountedByReasonAndTheConnectionCarriesOn() throws Exception {
    double before = rejected("invalid-protobuf");
    ByteString uid = newUid();
    try (RawAgent agent = RawAgent.connect(node.opampPort())) {
      agent.sendBytes(new byte[] {0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x13, 0x37});

      ServerToAgent error = agent.receive();
      assertEquals(
          ServerErrorResponseType.ServerErrorResponseType_BadRequest, error.getErrorResponse().getType());
      assertTrue(error.getErrorResponse().getErrorMessage().startsWith("invalid-protobuf"));

      agent.send(fullState(uid, 1, "wire-test"));
      assertEquals(uid, agent.receive().getInstanceUid(), "the same connection still serves the agent");
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> rejected("invalid-protobuf") >= before + 1);
  }

  @Test
  void aFrameWithoutTheHeaderIsRefusedAsMalformed() throws Exception {
    double before = rejected("non-zero-header");
    try (RawAgent agent = RawAgent.connect(node.opampPort())) {
      agent.sendBytes(fullState(newUid(), 1, "wire-test").toByteArray());

      ServerToAgent error = agent.receive();
      assertEquals(
          ServerErrorResponseType.ServerErrorResponseType_BadRequest, error.getErrorResponse().getType());
      assertTrue(error.getErrorResponse().getErrorMessage().contains("header"));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> rejected("non-zero-header") >= before + 1);
  }

  @Test
  void textMessagesAreRefused() throws Exception {
    try (RawAgent agent = RawAgent.connect(node.opampPort())) {
      agent.sendText("hello");

      assertEquals(
          ServerErrorResponseType.ServerErrorResponseType_BadRequest,
          agent.receive().getErrorResponse().getType());
    }
  }

  @Test
  void anOversizedMessageClosesOnlyThatConnection() throws Exception {
    double before = rejected("oversized");
    ByteString bystanderUid = newUid();
    try (RawAgent bystander = RawAgent.connect(node.opampPort());
        RawAgent offender = RawAgent.connect(node.opampPort())) {
      bystander.send(fullState(bystanderUid, 1, "wire-test"));
      bystander.receive();

      offender.sendFragmented(new byte[MAX_MESSAGE_BYTES * 4], 16 * 1024);

      ServerToAgent error = offender.receive();
      assertTrue(error.getErrorResponse().getErrorMessage().startsWith("oversized"));
      assertEquals(1009, offender.closeCode().get(10, TimeUnit.SECONDS), "message too big");

      bystander.send(heartbeat(bystanderUid, 2));
      assertEquals(bystanderUid, bystander.receive().getInstanceUid(), "other agents are still served");
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> rejected("oversized") >= before + 1);
  }

  @Test
  void anOversizedSingleFrameMessageIsRefusedToo() throws Exception {
    try (RawAgent offender = RawAgent.connect(node.opampPort())) {
      offender.sendBytes(new byte[MAX_MESSAGE_BYTES + 1]);

      assertTrue(offender.receive().getErrorResponse().getErrorMessage().startsWith("oversized"));
      assertEquals(1009, offender.closeCode().get(10, TimeUnit.SECONDS), "message too big");
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

      await().atMost(Duration.ofSeconds(20))
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

      assertEquals(1000, first.closeCode().get(10, TimeUnit.SECONDS), "a fenced session closes normally");
      second.send(heartbeat(uid, 3));
      assertEquals(uid, second.receive().getInstanceUid(), "the newer connection keeps the agent");
    }
  }

  @Test
  void agentsThatAcceptConnectionSettingsAreToldTheFleetHeartbeatInterval() throws Exception {
    try (RawAgent agent = RawAgent.connect(node.opampPort())) {
      agent.send(fullState(newUid(), 1, "wire-test").toBuilder().setCapabilities(0x1 | 0x100 | 0x2000).build());

      ServerToAgent reply = agent.receive();
      assertEquals(30, reply.getConnectionSettings().getOpamp().getHeartbeatIntervalSeconds());
      assertTrue(
          (reply.getCapabilities() & ServerCapabilities.ServerCapabilities_OffersConnectionSettings_VALUE) != 0);
    }
  }

  private double rejected(String reason) {
    OptionalDouble value =
        HttpProbe.metric(
            node.metricsPort(),
            "switchboard_frames_rejected_total{transport=\"websocket\",reason=\"" + reason + "\"}");
    return value.orElse(0);
  }
}
