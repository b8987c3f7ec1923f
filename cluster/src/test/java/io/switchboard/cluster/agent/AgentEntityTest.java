package io.switchboard.cluster.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.switchboard.opamp.proto.AgentConfigFile;
import io.switchboard.opamp.proto.AgentConfigMap;
import io.switchboard.opamp.proto.AgentDescription;
import io.switchboard.opamp.proto.AgentDisconnect;
import io.switchboard.opamp.proto.AgentToServer;
import io.switchboard.opamp.proto.AgentToServerFlags;
import io.switchboard.opamp.proto.AnyValue;
import io.switchboard.opamp.proto.AgentRemoteConfig;
import io.switchboard.opamp.proto.CommandType;
import io.switchboard.opamp.proto.ComponentHealth;
import io.switchboard.opamp.proto.CustomCapabilities;
import io.switchboard.opamp.proto.CustomMessage;
import io.switchboard.opamp.proto.KeyValue;
import io.switchboard.opamp.proto.RemoteConfigStatus;
import io.switchboard.opamp.proto.RemoteConfigStatuses;
import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.persistence.status.AgentStatus;
import io.switchboard.persistence.status.ConnectionState;
import io.switchboard.persistence.status.StatusWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentEntityTest {

  private final ActorTestKit testKit = ActorTestKit.create();
  private final String instanceUid = UUID.randomUUID().toString();
  private final ByteString uid = InstanceUid.toBytes(instanceUid);

  private TestProbe<ClusterSharding.ShardCommand> shard;
  private TestProbe<StatusWriter.Command> writer;
  private ActorRef<AgentEntity.Command> entity;

  @AfterAll
  void stop() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void spawnEntity() {
    shard = testKit.createTestProbe();
    writer = testKit.createTestProbe();
    entity =
        testKit.spawn(
            AgentEntity.create(
                instanceUid,
                shard.getRef(),
                writer.getRef(),
                new AgentEntitySettings(Duration.ofMillis(300), Duration.ofSeconds(15), Duration.ofMillis(400)),
                Clock.systemUTC()));
  }

  @Test
  void answersThroughTheSessionAndWritesTheFullStateOnce() {
    Session session = new Session(1);

    entity.tell(new AgentEntity.AgentReport(fullState(1), session.ref()));

    ServerToAgent reply = session.expectDelivery();
    assertEquals(uid, reply.getInstanceUid());
    assertEquals(AgentEntity.SERVER_CAPABILITIES, reply.getCapabilities());
    AgentStatus first = expectStatus();
    assertEquals(ConnectionState.CONNECTED, first.connectionState());
    assertEquals("node-1", first.ownerNode());
    assertEquals(1, first.sessionEpoch());
    assertTrue(first.descriptionJson().contains("\"service.name\":\"checkout\""));
    assertNotNull(first.healthJson());

    entity.tell(new AgentEntity.AgentReport(heartbeat(2), session.ref()));
    session.expectDelivery();
    AgentStatus second = expectStatus();
    assertNull(second.descriptionJson(), "an omitted description means unchanged: nothing to rewrite");
    assertNull(second.healthJson());
    assertEquals(2, second.sequenceNum());
    assertTrue(second.stateVersion() > first.stateVersion());
  }

  @Test
  void aNewerEpochFencesTheOlderSession() {
    Session older = new Session(10);
    Session newer = new Session(11);
    entity.tell(new AgentEntity.AgentReport(fullState(1), older.ref()));
    older.expectDelivery();

    entity.tell(new AgentEntity.AgentReport(heartbeat(2), newer.ref()));

    older.probe.expectMessageClass(AgentEntity.CloseSession.class);
    newer.expectDelivery();

    entity.tell(new AgentEntity.AgentReport(heartbeat(3), older.ref()));
    older.probe.expectMessageClass(AgentEntity.CloseSession.class);
    newer.probe.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void onlyTheCurrentSessionEndingDisconnectsTheAgent() {
    Session older = new Session(20);
    Session current = new Session(21);
    entity.tell(new AgentEntity.AgentReport(fullState(1), older.ref()));
    entity.tell(new AgentEntity.AgentReport(heartbeat(2), current.ref()));
    expectStatus();
    expectStatus();

    entity.tell(new AgentEntity.SessionEnded(20, "socket closed"));
    writer.expectNoMessage(Duration.ofMillis(100));

    entity.tell(new AgentEntity.SessionEnded(21, "socket closed"));
    AgentStatus status = expectStatus();
    assertEquals(ConnectionState.DISCONNECTED, status.connectionState());
    assertEquals(21, status.sessionEpoch());
  }

  @Test
  void agentDisconnectEndsTheSession() {
    Session session = new Session(30);
    entity.tell(new AgentEntity.AgentReport(fullState(1), session.ref()));
    expectStatus();

    entity.tell(
        new AgentEntity.AgentReport(
            heartbeat(2).toBuilder().setAgentDisconnect(AgentDisconnect.getDefaultInstance()).build(),
            session.ref()));

    session.expectDelivery();
    assertEquals(ConnectionState.DISCONNECTED, expectStatus().connectionState());
  }

  @Test
  void passivatesOnlyWhenIdleWithoutASession() {
    Session session = new Session(40);
    entity.tell(new AgentEntity.AgentReport(fullState(1), session.ref()));
    shard.expectNoMessage(Duration.ofMillis(600));

    entity.tell(new AgentEntity.SessionEnded(40, "socket closed"));

    ClusterSharding.ShardCommand command = shard.expectMessageClass(ClusterSharding.ShardCommand.class, Duration.ofSeconds(3));
    assertInstanceOf(ClusterSharding.Passivate.class, command);
  }

  @Test
  void aHeartbeatingAgentThatGoesSilentLosesItsSession() {
    Session session = new Session(50);
    entity.tell(new AgentEntity.AgentReport(withCapabilities(fullState(1), 0x1 | 0x2000), session.ref()));
    session.expectDelivery();
    expectStatus();

    session.probe.expectMessageClass(AgentEntity.CloseSession.class, Duration.ofSeconds(3));
    assertEquals(ConnectionState.DISCONNECTED, expectStatus().connectionState());
  }

  @Test
  void anyMessageRenewsTheHeartbeatWindow() {
    Session session = new Session(51);
    entity.tell(new AgentEntity.AgentReport(withCapabilities(fullState(1), 0x1 | 0x2000), session.ref()));
    session.expectDelivery();
    // Six messages 250 ms apart span 1.5 s, far past the 400 ms window, yet the session stays.
    for (int seq = 2; seq <= 7; seq++) {
      session.probe.expectNoMessage(Duration.ofMillis(250));
      entity.tell(new AgentEntity.AgentReport(withCapabilities(heartbeat(seq), 0x1 | 0x2000), session.ref()));
      session.expectDelivery();
    }
  }

  @Test
  void anAgentThatNeverPromisedHeartbeatsKeepsItsSessionWhileSilent() {
    Session session = new Session(52);
    entity.tell(new AgentEntity.AgentReport(fullState(1), session.ref()));
    session.expectDelivery();

    session.probe.expectNoMessage(Duration.ofMillis(800));
  }

  @Test
  void connectionSettingsAreOfferedOncePerSessionAndOnlyToAgentsThatAcceptThem() {
    Session declines = new Session(60);
    entity.tell(new AgentEntity.AgentReport(fullState(1), declines.ref()));
    assertEquals(false, declines.expectDelivery().hasConnectionSettings(), "capability gating");

    Session accepts = new Session(61);
    entity.tell(new AgentEntity.AgentReport(withCapabilities(heartbeat(2), 0x1 | 0x100), accepts.ref()));
    ServerToAgent offer = accepts.expectDelivery();
    assertEquals(15, offer.getConnectionSettings().getOpamp().getHeartbeatIntervalSeconds());
    assertEquals(32, offer.getConnectionSettings().getHash().size());

    entity.tell(new AgentEntity.AgentReport(withCapabilities(heartbeat(3), 0x1 | 0x100), accepts.ref()));
    assertEquals(false, accepts.expectDelivery().hasConnectionSettings(), "already offered on this session");
  }

  @Test
  void anAgentAskingForAnInstanceUidGetsAFreshOne() {
    Session session = new Session(70);
    entity.tell(
        new AgentEntity.AgentReport(
            fullState(1).toBuilder().setFlags(AgentToServerFlags.AgentToServerFlags_RequestInstanceUid_VALUE).build(),
            session.ref()));

    ByteString assigned = session.expectDelivery().getAgentIdentification().getNewInstanceUid();
    assertEquals(16, assigned.size());
    assertEquals(7, UUID.fromString(InstanceUid.toText(assigned)).version());
    assertTrue(!assigned.equals(uid));
  }

  @Test
  void aRemoteConfigGoesStraightToAConnectedAgentThatAcceptsIt() {
    Session session = new Session(80);
    entity.tell(new AgentEntity.AgentReport(withCapabilities(fullState(1), 0x1 | 0x2 | 0x1000), session.ref()));
    session.expectDelivery();

    assertEquals(new AgentEntity.Accepted("sent"), offer(CONFIG));

    AgentRemoteConfig sent = session.expectDelivery().getRemoteConfig();
    assertEquals(CONFIG, sent.getConfig());
    assertEquals(ConfigHash.of(CONFIG), sent.getConfigHash());

    entity.tell(
        new AgentEntity.AgentReport(
            withCapabilities(heartbeat(2), 0x1 | 0x2 | 0x1000).toBuilder()
                .setRemoteConfigStatus(
                    RemoteConfigStatus.newBuilder()
                        .setLastRemoteConfigHash(sent.getConfigHash())
                        .setStatus(RemoteConfigStatuses.RemoteConfigStatuses_APPLIED))
                .build(),
            session.ref()));
    assertEquals(false, session.expectDelivery().hasRemoteConfig());
    assertEquals(new AgentEntity.Accepted("the agent already runs this configuration"), offer(CONFIG));
  }

  @Test
  void aRemoteConfigIsRefusedForAnAgentThatDoesNotAcceptOne() {
    Session session = new Session(81);
    entity.tell(new AgentEntity.AgentReport(fullState(1), session.ref()));
    session.expectDelivery();

    assertInstanceOf(AgentEntity.Refused.class, offer(CONFIG));
    session.probe.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void aRemoteConfigForAnAgentNotConnectedGoesOutWhenItReports() {
    assertEquals(new AgentEntity.Accepted("stored; sent when the agent next reports"), offer(CONFIG));

    Session session = new Session(82);
    entity.tell(new AgentEntity.AgentReport(withCapabilities(fullState(1), 0x1 | 0x2), session.ref()));

    assertEquals(CONFIG, session.expectDelivery().getRemoteConfig().getConfig());
  }

  @Test
  void aPollingAgentGetsItsCommandOnItsNextPoll() {
    TestProbe<ServerToAgent> poll = testKit.createTestProbe();
    entity.tell(new AgentEntity.AgentPoll(withCapabilities(fullState(1), 0x1 | 0x400), "node-2", poll.getRef()));
    assertEquals(false, poll.receiveMessage().hasCommand());

    TestProbe<AgentEntity.OperatorReply> operator = testKit.createTestProbe();
    entity.tell(new AgentEntity.SendRestart(operator.getRef()));
    assertEquals(new AgentEntity.Accepted("queued for the agent's next poll"), operator.receiveMessage());

    entity.tell(new AgentEntity.AgentPoll(withCapabilities(heartbeat(2), 0x1 | 0x400), "node-2", poll.getRef()));
    assertEquals(CommandType.CommandType_Restart, poll.receiveMessage().getCommand().getType());
    entity.tell(new AgentEntity.AgentPoll(withCapabilities(heartbeat(3), 0x1 | 0x400), "node-2", poll.getRef()));
    assertEquals(false, poll.receiveMessage().hasCommand(), "delivered once");
  }

  @Test
  void commandsAreGatedByCapabilityAndNeedASession() {
    TestProbe<AgentEntity.OperatorReply> operator = testKit.createTestProbe();
    entity.tell(new AgentEntity.SendRestart(operator.getRef()));
    assertInstanceOf(AgentEntity.Refused.class, operator.receiveMessage());

    Session session = new Session(90);
    entity.tell(new AgentEntity.AgentReport(fullState(1), session.ref()));
    session.expectDelivery();
    entity.tell(new AgentEntity.SendRestart(operator.getRef()));
    assertEquals(
        new AgentEntity.Refused("the agent does not accept the restart command"), operator.receiveMessage());
  }

  @Test
  void customCapabilitiesAndMessagesAreRecordedAndGateWhatOperatorsSend() {
    Session session = new Session(100);
    entity.tell(
        new AgentEntity.AgentReport(
            fullState(1).toBuilder()
                .setCustomCapabilities(CustomCapabilities.newBuilder().addCapabilities("io.example.ping"))
                .setCustomMessage(
                    CustomMessage.newBuilder()
                        .setCapability("io.example.ping")
                        .setType("pong")
                        .setData(ByteString.copyFromUtf8("hi")))
                .build(),
            session.ref()));
    session.expectDelivery();
    AgentStatus status = expectStatus();
    assertEquals("[\"io.example.ping\"]", status.customCapabilitiesJson());
    assertTrue(status.customMessagesJson().contains("\"type\":\"pong\""));

    TestProbe<AgentEntity.OperatorReply> operator = testKit.createTestProbe();
    entity.tell(new AgentEntity.SendCustomMessage("io.example.other", "x", ByteString.EMPTY, operator.getRef()));
    assertInstanceOf(AgentEntity.Refused.class, operator.receiveMessage());

    entity.tell(
        new AgentEntity.SendCustomMessage("io.example.ping", "ping", ByteString.copyFromUtf8("1"), operator.getRef()));
    assertEquals(new AgentEntity.Accepted("sent"), operator.receiveMessage());
    assertEquals("ping", session.expectDelivery().getCustomMessage().getType());
  }

  private static final AgentConfigMap CONFIG =
      AgentConfigMap.newBuilder()
          .putConfigMap(
              "collector.yaml",
              AgentConfigFile.newBuilder()
                  .setContentType("text/yaml")
                  .setBody(ByteString.copyFromUtf8("receivers: {}"))
                  .build())
          .build();

  private AgentEntity.OperatorReply offer(AgentConfigMap config) {
    TestProbe<AgentEntity.OperatorReply> operator = testKit.createTestProbe();
    entity.tell(new AgentEntity.OfferRemoteConfig(config, operator.getRef()));
    return operator.receiveMessage();
  }

  private static AgentToServer withCapabilities(AgentToServer message, long capabilities) {
    return message.toBuilder().setCapabilities(capabilities).build();
  }

  private AgentStatus expectStatus() {
    return writer.expectMessageClass(StatusWriter.Record.class).status();
  }

  private AgentToServer fullState(long seq) {
    return heartbeat(seq).toBuilder()
        .setAgentDescription(
            AgentDescription.newBuilder()
                .addIdentifyingAttributes(
                    KeyValue.newBuilder()
                        .setKey("service.name")
                        .setValue(AnyValue.newBuilder().setStringValue("checkout"))))
        .setHealth(ComponentHealth.newBuilder().setHealthy(true).setStatus("running"))
        .build();
  }

  private AgentToServer heartbeat(long seq) {
    return AgentToServer.newBuilder().setInstanceUid(uid).setSequenceNum(seq).setCapabilities(0x1).build();
  }

  /** A session as the entity sees it, backed by a probe. */
  private final class Session {
    final TestProbe<AgentEntity.SessionDirective> probe = testKit.createTestProbe();
    final long epoch;

    Session(long epoch) {
      this.epoch = epoch;
    }

    AgentEntity.Session ref() {
      return new AgentEntity.Session(probe.getRef(), epoch, "node-1");
    }

    ServerToAgent expectDelivery() {
      return probe.expectMessageClass(AgentEntity.Deliver.class).message();
    }
  }
}
