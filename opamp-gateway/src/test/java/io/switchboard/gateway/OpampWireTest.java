package io.switchboard.gateway;

import static io.switchboard.testkit.AgentMessages.fullState;
import static io.switchboard.testkit.AgentMessages.heartbeat;
import static io.switchboard.testkit.AgentMessages.newUid;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.switchboard.cluster.agent.AgentProtocol;
import io.switchboard.gateway.session.NodeDraining;
import io.switchboard.opamp.proto.AgentIdentification;
import io.switchboard.opamp.proto.AgentToServer;
import io.switchboard.opamp.proto.ServerErrorResponse;
import io.switchboard.opamp.proto.ServerErrorResponseType;
import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.testkit.RawAgent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * OpAMP over a real WebSocket to the gateway, driven frame by frame: what reaches the agent's
 * entity and what comes back, what the gateway does with frames that are not OpAMP, and the close
 * codes agents see (pinned here, since {@code FrameLevelUpgrade} writes them through Pekko HTTP's
 * internals). The entity's own answers are tested end to end in integration-tests.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpampWireTest {

  private static final int MAX_MESSAGE_BYTES = 64 * 1024;

  private TestGateway gateway;

  @BeforeAll
  void startGateway() {
    gateway = TestGateway.start(Map.of("switchboard.opamp.max-message-size", MAX_MESSAGE_BYTES));
  }

  @AfterAll
  void stopGateway() {
    gateway.close();
  }

  @Test
  void eachMessageGoesToItsAgentsEntityWithTheSessionAndWhatTheEntitySaysGoesBack()
      throws Exception {
    ByteString uid = newUid();
    try (RawAgent agent = RawAgent.connect(gateway.port())) {
      AgentToServer first = fullState(uid, 1, "wire-test");
      agent.send(first);
      AgentProtocol.AgentReport report = reportOf(uid);
      assertEquals(first, report.message());
      assertEquals(TestGateway.NODE, report.session().node());
      assertEquals(uid, agent.receive().getInstanceUid(), "the entity's answer reaches the agent");

      agent.send(heartbeat(uid, 2));
      AgentProtocol.AgentReport second = reportOf(uid);
      assertEquals(2, second.message().getSequenceNum());
      assertEquals(report.session(), second.session(), "one session for the connection");
      agent.receive();

      ServerToAgent unasked = ServerToAgent.newBuilder().setInstanceUid(uid).setFlags(1).build();
      second.session().ref().tell(new AgentProtocol.Deliver(unasked));
      assertEquals(unasked, agent.receive(), "what the entity sends on its own goes out too");
    }
  }

  @Test
  void garbageIsAnsweredWithBadRequestCountedByReasonAndTheConnectionCarriesOn() throws Exception {
    double before = TestGateway.rejected("websocket", "invalid-protobuf");
    ByteString uid = newUid();
    try (RawAgent agent = RawAgent.connect(gateway.port())) {
      agent.sendBytes(new byte[] {0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x13, 0x37});

      ServerToAgent error = agent.receive();
      assertEquals(
          ServerErrorResponseType.ServerErrorResponseType_BadRequest,
          error.getErrorResponse().getType());
      assertTrue(error.getErrorResponse().getErrorMessage().startsWith("invalid-protobuf"));

      agent.send(fullState(uid, 1, "wire-test"));
      assertEquals(
          uid, agent.receive().getInstanceUid(), "the same connection still serves the agent");
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> TestGateway.rejected("websocket", "invalid-protobuf") >= before + 1);
  }

  @Test
  void aFrameWithoutTheHeaderIsRefusedAsMalformed() throws Exception {
    double before = TestGateway.rejected("websocket", "non-zero-header");
    try (RawAgent agent = RawAgent.connect(gateway.port())) {
      agent.sendBytes(fullState(newUid(), 1, "wire-test").toByteArray());

      ServerToAgent error = agent.receive();
      assertEquals(
          ServerErrorResponseType.ServerErrorResponseType_BadRequest,
          error.getErrorResponse().getType());
      assertTrue(error.getErrorResponse().getErrorMessage().contains("header"));
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> TestGateway.rejected("websocket", "non-zero-header") >= before + 1);
  }

  @Test
  void textMessagesAreRefused() throws Exception {
    try (RawAgent agent = RawAgent.connect(gateway.port())) {
      agent.sendText("hello");

      assertEquals(
          ServerErrorResponseType.ServerErrorResponseType_BadRequest,
          agent.receive().getErrorResponse().getType());
    }
  }

  @Test
  void anOversizedMessageClosesOnlyThatConnection() throws Exception {
    double before = TestGateway.rejected("websocket", "oversized");
    ByteString bystanderUid = newUid();
    try (RawAgent bystander = RawAgent.connect(gateway.port());
        RawAgent offender = RawAgent.connect(gateway.port())) {
      bystander.send(fullState(bystanderUid, 1, "wire-test"));
      bystander.receive();

      offender.sendFragmented(new byte[MAX_MESSAGE_BYTES * 4], 16 * 1024);

      ServerToAgent error = offender.receive();
      assertTrue(error.getErrorResponse().getErrorMessage().startsWith("oversized"));
      assertEquals(1009, offender.closeCode().get(10, TimeUnit.SECONDS), "message too big");

      bystander.send(heartbeat(bystanderUid, 2));
      assertEquals(
          bystanderUid, bystander.receive().getInstanceUid(), "other agents are still served");
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> TestGateway.rejected("websocket", "oversized") >= before + 1);
  }

  @Test
  void anOversizedSingleFrameMessageIsRefusedToo() throws Exception {
    try (RawAgent offender = RawAgent.connect(gateway.port())) {
      offender.sendBytes(new byte[MAX_MESSAGE_BYTES + 1]);

      assertTrue(offender.receive().getErrorResponse().getErrorMessage().startsWith("oversized"));
      assertEquals(1009, offender.closeCode().get(10, TimeUnit.SECONDS), "message too big");
    }
  }

  @Test
  void aConnectionServesOnlyItsAgentOrTheIdTheServerAssignedIt() throws Exception {
    double before = TestGateway.rejected("websocket", "instance-uid-changed");
    ByteString uid = newUid();
    try (RawAgent agent = RawAgent.connect(gateway.port())) {
      agent.send(fullState(uid, 1, "wire-test"));
      AgentProtocol.Session session = reportOf(uid).session();
      agent.receive();

      agent.send(heartbeat(newUid(), 2));
      ServerToAgent refusal = agent.receive();
      assertEquals(
          ServerErrorResponseType.ServerErrorResponseType_BadRequest,
          refusal.getErrorResponse().getType());
      assertTrue(
          refusal.getErrorResponse().getErrorMessage().startsWith("instance-uid-changed"),
          refusal.toString());

      ByteString assigned = newUid();
      session
          .ref()
          .tell(
              new AgentProtocol.Deliver(
                  ServerToAgent.newBuilder()
                      .setInstanceUid(uid)
                      .setAgentIdentification(
                          AgentIdentification.newBuilder().setNewInstanceUid(assigned))
                      .build()));
      assertEquals(assigned, agent.receive().getAgentIdentification().getNewInstanceUid());
      agent.send(fullState(assigned, 2, "wire-test"));

      sessionEnded(gateway, session.epoch());
      AgentProtocol.AgentReport underTheNewId = reportOf(assigned);
      assertEquals(session.epoch(), underTheNewId.session().epoch(), "on the same connection");
      assertEquals(assigned, agent.receive().getInstanceUid());
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> TestGateway.rejected("websocket", "instance-uid-changed") >= before + 1);
  }

  @Test
  void aSessionTheEntityClosesEndsWithANormalClose() throws Exception {
    ByteString uid = newUid();
    try (RawAgent agent = RawAgent.connect(gateway.port())) {
      agent.send(fullState(uid, 1, "wire-test"));
      AgentProtocol.Session session = reportOf(uid).session();
      agent.receive();

      session.ref().tell(new AgentProtocol.CloseSession("a newer session took over"));

      assertEquals(
          1000, agent.closeCode().get(10, TimeUnit.SECONDS), "a fenced session closes normally");
    }
  }

  @Test
  void whenTheAgentGoesItsEntityIsToldTheSessionEnded() throws Exception {
    ByteString uid = newUid();
    AgentProtocol.Session session;
    try (RawAgent agent = RawAgent.connect(gateway.port())) {
      agent.send(fullState(uid, 1, "wire-test"));
      session = reportOf(uid).session();
      agent.receive();
    }

    sessionEnded(gateway, session.epoch());
  }

  @Test
  void aDrainingGatewaySendsItsAgentsAwayAfterADelayWithinTheSpread() throws Exception {
    try (TestGateway draining = TestGateway.start();
        RawAgent agent = RawAgent.connect(draining.port())) {
      ByteString uid = newUid();
      agent.send(fullState(uid, 1, "wire-test"));
      long epoch = reportOf(draining, uid).session().epoch();
      agent.receive();

      var drained =
          draining
              .liveSessions()
              .drain(
                  new NodeDraining(Duration.ofSeconds(5), Duration.ofSeconds(30)),
                  Duration.ofSeconds(10));

      ServerErrorResponse goAway = agent.receive().getErrorResponse();
      assertEquals(ServerErrorResponseType.ServerErrorResponseType_Unavailable, goAway.getType());
      long seconds =
          TimeUnit.NANOSECONDS.toSeconds(goAway.getRetryInfo().getRetryAfterNanoseconds());
      assertTrue(seconds >= 5 && seconds <= 35, "retry after " + seconds + " s");
      assertEquals(1000, agent.closeCode().get(10, TimeUnit.SECONDS));
      sessionEnded(draining, epoch);
      drained.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /** The next report the entity of {@code uid} gets, skipping what other agents' entities get. */
  private AgentProtocol.AgentReport reportOf(ByteString uid) {
    return reportOf(gateway, uid);
  }

  private static AgentProtocol.AgentReport reportOf(TestGateway gateway, ByteString uid) {
    List<AgentProtocol.Command> seen =
        gateway
            .entities()
            .fishForMessage(
                Duration.ofSeconds(10),
                command ->
                    command instanceof AgentProtocol.AgentReport report
                            && report.message().getInstanceUid().equals(uid)
                        ? FishingOutcomes.complete()
                        : FishingOutcomes.continueAndIgnore());
    return (AgentProtocol.AgentReport) seen.get(seen.size() - 1);
  }

  /** Waits until the session of {@code epoch} tells its entity it ended (fails after 10 s). */
  private static void sessionEnded(TestGateway gateway, long epoch) {
    gateway
        .entities()
        .fishForMessage(
            Duration.ofSeconds(10),
            command ->
                command instanceof AgentProtocol.SessionEnded ended && ended.epoch() == epoch
                    ? FishingOutcomes.complete()
                    : FishingOutcomes.continueAndIgnore());
  }
}
