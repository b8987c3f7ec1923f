package io.switchboard.cluster.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.switchboard.cluster.limits.TokenBucket;
import io.switchboard.opamp.ConfigHash;
import io.switchboard.opamp.ConnectionSettings;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.opamp.proto.AgentConfigFile;
import io.switchboard.opamp.proto.AgentConfigMap;
import io.switchboard.opamp.proto.AgentDescription;
import io.switchboard.opamp.proto.AgentDisconnect;
import io.switchboard.opamp.proto.AgentRemoteConfig;
import io.switchboard.opamp.proto.AgentToServer;
import io.switchboard.opamp.proto.AgentToServerFlags;
import io.switchboard.opamp.proto.AnyValue;
import io.switchboard.opamp.proto.CommandType;
import io.switchboard.opamp.proto.ComponentHealth;
import io.switchboard.opamp.proto.CustomCapabilities;
import io.switchboard.opamp.proto.CustomMessage;
import io.switchboard.opamp.proto.KeyValue;
import io.switchboard.opamp.proto.RemoteConfigStatus;
import io.switchboard.opamp.proto.RemoteConfigStatuses;
import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.opamp.proto.ServerToAgentCommand;
import io.switchboard.persistence.agents.AgentStart;
import io.switchboard.persistence.envelopes.EnvelopeKind;
import io.switchboard.persistence.envelopes.EnvelopeState;
import io.switchboard.persistence.envelopes.LatestEnvelope;
import io.switchboard.persistence.status.AgentStatus;
import io.switchboard.persistence.status.ConnectionState;
import io.switchboard.persistence.status.StatusWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
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
  private ActorRef<AgentProtocol.Command> entity;
  private TestProbe<Recorded> recorded;

  /** What the database holds as the agent's desired config when the entity starts. */
  private LatestEnvelope stored;

  /** What the database holds as the agent's own connection settings. */
  private LatestEnvelope storedSettings;

  private EnvelopeLedger ledger;

  /** What the entity recorded about an envelope: SENT (with the node) or how it ended. */
  private record Recorded(UUID envelope, EnvelopeState state, String detail) {}

  @AfterAll
  void stop() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void spawnEntity() {
    shard = testKit.createTestProbe();
    writer = testKit.createTestProbe();
    recorded = testKit.createTestProbe();
    ledger =
        new EnvelopeLedger() {
          @Override
          public void sent(UUID envelope, String node) {
            recorded.getRef().tell(new Recorded(envelope, EnvelopeState.SENT, node));
          }

          @Override
          public void closed(UUID envelope, EnvelopeState outcome, String detail) {
            recorded.getRef().tell(new Recorded(envelope, outcome, detail));
          }
        };
    stored = null;
    storedSettings = null;
    entity = spawnIncarnation();
  }

  /** A new incarnation of the agent's entity, as after a node died or its shard moved. */
  private ActorRef<AgentProtocol.Command> spawnIncarnation() {
    return testKit.spawn(
        AgentEntity.create(
            instanceUid,
            shard.getRef(),
            new AgentDependencies(
                writer.getRef(),
                ledger,
                this::start,
                new TokenBucket(1000, 1000),
                (uid, bound, presented, node) -> {}),
            new AgentEntitySettings(
                Duration.ofMillis(300),
                Duration.ofSeconds(15),
                Duration.ofMillis(400),
                100,
                100,
                Duration.ofSeconds(1)),
            Clock.systemUTC()));
  }

  /**
   * What the database holds of the agent when an incarnation starts: a known agent and its desired
   * state.
   */
  private CompletionStage<AgentStart> start(String uid) {
    Map<EnvelopeKind, LatestEnvelope> desired = new EnumMap<>(EnvelopeKind.class);
    if (stored != null) {
      desired.put(EnvelopeKind.REMOTE_CONFIG, stored);
    }
    if (storedSettings != null) {
      desired.put(EnvelopeKind.CONNECTION_SETTINGS, storedSettings);
    }
    return CompletableFuture.completedFuture(new AgentStart(true, null, desired));
  }

  @Test
  void connectionSettingsForOneAgentAreOfferedNowAndOnItsLaterSessions() {
    Session session = new Session(140);
    entity.tell(
        new AgentProtocol.AgentReport(withCapabilities(fullState(1), 0x1 | 0x100), session.ref()));
    assertEquals(
        15,
        session.expectDelivery().getConnectionSettings().getOpamp().getHeartbeatIntervalSeconds(),
        "the fleet's");

    UUID envelope = UUID.randomUUID();
    assertEquals(EnvelopeState.SENT, dispatch(envelope, connectionSettings(60)).state());
    assertEquals(
        60,
        session.expectDelivery().getConnectionSettings().getOpamp().getHeartbeatIntervalSeconds());
    assertEquals(new Recorded(envelope, EnvelopeState.SENT, "node-1"), recorded.receiveMessage());

    Session later = new Session(141);
    entity.tell(
        new AgentProtocol.AgentReport(withCapabilities(heartbeat(2), 0x1 | 0x100), later.ref()));
    assertEquals(
        60,
        later.expectDelivery().getConnectionSettings().getOpamp().getHeartbeatIntervalSeconds(),
        "its own, again");

    assertEquals(
        new AgentProtocol.EnvelopeReceipt(
            EnvelopeState.FAILED, "the agent does not accept connection settings"),
        spawnAndDispatchTo(0x1, connectionSettings(60)));
  }

  @Test
  void aNewIncarnationOffersTheConnectionSettingsOperatorsChose() {
    storedSettings =
        new LatestEnvelope(
            UUID.randomUUID(),
            connectionSettings(120).toByteArray(),
            EnvelopeState.SENT,
            Instant.now());
    ActorRef<AgentProtocol.Command> incarnation = spawnIncarnation();
    Session session = new Session(150);
    incarnation.tell(
        new AgentProtocol.AgentReport(withCapabilities(heartbeat(1), 0x1 | 0x100), session.ref()));
    ServerToAgent reply = session.expectDelivery();
    // The stored settings may arrive just after the first message: then they go with the next
    // answer.
    if (reply.getConnectionSettings().getOpamp().getHeartbeatIntervalSeconds() != 120) {
      incarnation.tell(
          new AgentProtocol.AgentReport(
              withCapabilities(heartbeat(2), 0x1 | 0x100), session.ref()));
      reply = session.expectDelivery();
    }
    assertEquals(120, reply.getConnectionSettings().getOpamp().getHeartbeatIntervalSeconds());
  }

  /** A fresh entity whose agent reported these capabilities, handed this message. */
  private AgentProtocol.EnvelopeReceipt spawnAndDispatchTo(
      long capabilities, ServerToAgent message) {
    ActorRef<AgentProtocol.Command> other = spawnIncarnation();
    Session session = new Session(160);
    other.tell(
        new AgentProtocol.AgentReport(withCapabilities(fullState(1), capabilities), session.ref()));
    session.expectDelivery();
    TestProbe<AgentProtocol.EnvelopeReceipt> operator = testKit.createTestProbe();
    other.tell(
        new AgentProtocol.TakeEnvelope(
            UUID.randomUUID(), message, Instant.now().plusSeconds(60), operator.getRef()));
    return operator.receiveMessage();
  }

  private static ServerToAgent connectionSettings(long heartbeatSeconds) {
    return ServerToAgent.newBuilder()
        .setConnectionSettings(ConnectionSettings.offer(Duration.ofSeconds(heartbeatSeconds)))
        .build();
  }

  @Test
  void aNewIncarnationTakesAnOpenRemoteConfigBackFromTheDatabase() {
    UUID envelope = UUID.randomUUID();
    stored =
        new LatestEnvelope(
            envelope,
            remoteConfig(CONFIG).toByteArray(),
            EnvelopeState.SENT,
            Instant.now().plusSeconds(60));
    ActorRef<AgentProtocol.Command> incarnation = spawnIncarnation();
    Session session = new Session(110);

    incarnation.tell(
        new AgentProtocol.AgentReport(withCapabilities(fullState(1), 0x1 | 0x2), session.ref()));

    ServerToAgent reply = session.expectDelivery();
    AgentRemoteConfig offered =
        reply.hasRemoteConfig()
            ? reply.getRemoteConfig()
            : session.expectDelivery().getRemoteConfig();
    assertEquals(CONFIG, offered.getConfig());
    assertEquals(new Recorded(envelope, EnvelopeState.SENT, "node-1"), recorded.receiveMessage());
    incarnation.tell(
        new AgentProtocol.AgentReport(
            configStatus(2, offered, RemoteConfigStatuses.RemoteConfigStatuses_APPLIED),
            session.ref()));
    assertEquals(new Recorded(envelope, EnvelopeState.APPLIED, null), recorded.receiveMessage());
  }

  @Test
  void anAppliedConfigFromTheDatabaseGoesOnlyToAnAgentRunningAnother() {
    stored =
        new LatestEnvelope(
            UUID.randomUUID(),
            remoteConfig(CONFIG).toByteArray(),
            EnvelopeState.APPLIED,
            Instant.now().minusSeconds(60));
    ActorRef<AgentProtocol.Command> incarnation = spawnIncarnation();
    Session runsIt = new Session(120);
    incarnation.tell(
        new AgentProtocol.AgentReport(
            configStatus(
                    1,
                    remoteConfig(CONFIG).getRemoteConfig(),
                    RemoteConfigStatuses.RemoteConfigStatuses_APPLIED)
                .toBuilder()
                .setAgentDescription(fullState(1).getAgentDescription())
                .build(),
            runsIt.ref()));
    assertEquals(false, runsIt.expectDelivery().hasRemoteConfig());
    runsIt.probe.expectNoMessage(Duration.ofMillis(200));

    ActorRef<AgentProtocol.Command> another = spawnIncarnation();
    Session lostIt = new Session(121);
    another.tell(
        new AgentProtocol.AgentReport(withCapabilities(fullState(1), 0x1 | 0x2), lostIt.ref()));
    ServerToAgent reply = lostIt.expectDelivery();
    assertEquals(
        CONFIG,
        (reply.hasRemoteConfig() ? reply : lostIt.expectDelivery()).getRemoteConfig().getConfig());
    recorded.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void answersThroughTheSessionAndWritesTheFullStateOnce() {
    Session session = new Session(1);

    entity.tell(new AgentProtocol.AgentReport(fullState(1), session.ref()));

    ServerToAgent reply = session.expectDelivery();
    assertEquals(uid, reply.getInstanceUid());
    assertEquals(AgentEntity.SERVER_CAPABILITIES, reply.getCapabilities());
    AgentStatus first = expectStatus();
    assertEquals(ConnectionState.CONNECTED, first.connectionState());
    assertEquals("node-1", first.ownerNode());
    assertEquals(1, first.sessionEpoch());
    assertTrue(first.descriptionJson().contains("\"service.name\":\"checkout\""));
    assertNotNull(first.healthJson());

    entity.tell(new AgentProtocol.AgentReport(heartbeat(2), session.ref()));
    session.expectDelivery();
    AgentStatus second = expectStatus();
    assertNull(
        second.descriptionJson(), "an omitted description means unchanged: nothing to rewrite");
    assertNull(second.healthJson());
    assertEquals(2, second.sequenceNum());
    assertTrue(second.stateVersion() > first.stateVersion());
  }

  @Test
  void aNewerEpochFencesTheOlderSession() {
    Session older = new Session(10);
    Session newer = new Session(11);
    entity.tell(new AgentProtocol.AgentReport(fullState(1), older.ref()));
    older.expectDelivery();

    entity.tell(new AgentProtocol.AgentReport(heartbeat(2), newer.ref()));

    older.probe.expectMessageClass(AgentProtocol.CloseSession.class);
    newer.expectDelivery();

    entity.tell(new AgentProtocol.AgentReport(heartbeat(3), older.ref()));
    older.probe.expectMessageClass(AgentProtocol.CloseSession.class);
    newer.probe.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void aReconnectThroughANodeWhoseClockIsBehindStillTakesOver() {
    Session older = new Session(5_000_000);
    Session reconnect = new Session(1_000);
    entity.tell(new AgentProtocol.AgentReport(fullState(1), older.ref()));
    older.expectDelivery();

    entity.tell(new AgentProtocol.AgentReport(heartbeat(2), reconnect.ref()));

    older.probe.expectMessageClass(AgentProtocol.CloseSession.class);
    reconnect.expectDelivery();
    entity.tell(new AgentProtocol.AgentReport(heartbeat(3), older.ref()));
    older.probe.expectMessageClass(AgentProtocol.CloseSession.class);
    entity.tell(new AgentProtocol.AgentReport(heartbeat(4), reconnect.ref()));
    reconnect.expectDelivery();
  }

  @Test
  void onlyTheCurrentSessionEndingDisconnectsTheAgent() {
    Session older = new Session(20);
    Session current = new Session(21);
    entity.tell(new AgentProtocol.AgentReport(fullState(1), older.ref()));
    entity.tell(new AgentProtocol.AgentReport(heartbeat(2), current.ref()));
    expectStatus();
    expectStatus();

    entity.tell(new AgentProtocol.SessionEnded(20, "socket closed"));
    writer.expectNoMessage(Duration.ofMillis(100));

    entity.tell(new AgentProtocol.SessionEnded(21, "socket closed"));
    AgentStatus status = expectStatus();
    assertEquals(ConnectionState.DISCONNECTED, status.connectionState());
    assertEquals(21, status.sessionEpoch());
  }

  @Test
  void agentDisconnectEndsTheSession() {
    Session session = new Session(30);
    entity.tell(new AgentProtocol.AgentReport(fullState(1), session.ref()));
    expectStatus();

    entity.tell(
        new AgentProtocol.AgentReport(
            heartbeat(2).toBuilder()
                .setAgentDisconnect(AgentDisconnect.getDefaultInstance())
                .build(),
            session.ref()));

    session.expectDelivery();
    assertEquals(ConnectionState.DISCONNECTED, expectStatus().connectionState());
  }

  @Test
  void passivatesOnlyWhenIdleWithoutASession() {
    Session session = new Session(40);
    entity.tell(new AgentProtocol.AgentReport(fullState(1), session.ref()));
    shard.expectNoMessage(Duration.ofMillis(600));

    entity.tell(new AgentProtocol.SessionEnded(40, "socket closed"));

    ClusterSharding.ShardCommand command =
        shard.expectMessageClass(ClusterSharding.ShardCommand.class, Duration.ofSeconds(3));
    assertInstanceOf(ClusterSharding.Passivate.class, command);
  }

  @Test
  void aHeartbeatingAgentThatGoesSilentLosesItsSession() {
    Session session = new Session(50);
    entity.tell(
        new AgentProtocol.AgentReport(withCapabilities(fullState(1), 0x1 | 0x2000), session.ref()));
    session.expectDelivery();
    expectStatus();

    session.probe.expectMessageClass(AgentProtocol.CloseSession.class, Duration.ofSeconds(3));
    assertEquals(ConnectionState.DISCONNECTED, expectStatus().connectionState());
  }

  @Test
  void anyMessageRenewsTheHeartbeatWindow() {
    Session session = new Session(51);
    entity.tell(
        new AgentProtocol.AgentReport(withCapabilities(fullState(1), 0x1 | 0x2000), session.ref()));
    session.expectDelivery();
    // Six messages 250 ms apart span 1.5 s, far past the 400 ms window, yet the session stays.
    for (int seq = 2; seq <= 7; seq++) {
      session.probe.expectNoMessage(Duration.ofMillis(250));
      entity.tell(
          new AgentProtocol.AgentReport(
              withCapabilities(heartbeat(seq), 0x1 | 0x2000), session.ref()));
      session.expectDelivery();
    }
  }

  @Test
  void anAgentThatNeverPromisedHeartbeatsKeepsItsSessionWhileSilent() {
    Session session = new Session(52);
    entity.tell(new AgentProtocol.AgentReport(fullState(1), session.ref()));
    session.expectDelivery();

    session.probe.expectNoMessage(Duration.ofMillis(800));
  }

  @Test
  void connectionSettingsAreOfferedOncePerSessionAndOnlyToAgentsThatAcceptThem() {
    Session declines = new Session(60);
    entity.tell(new AgentProtocol.AgentReport(fullState(1), declines.ref()));
    assertEquals(false, declines.expectDelivery().hasConnectionSettings(), "capability gating");

    Session accepts = new Session(61);
    entity.tell(
        new AgentProtocol.AgentReport(withCapabilities(heartbeat(2), 0x1 | 0x100), accepts.ref()));
    ServerToAgent offer = accepts.expectDelivery();
    assertEquals(15, offer.getConnectionSettings().getOpamp().getHeartbeatIntervalSeconds());
    assertEquals(32, offer.getConnectionSettings().getHash().size());

    entity.tell(
        new AgentProtocol.AgentReport(withCapabilities(heartbeat(3), 0x1 | 0x100), accepts.ref()));
    assertEquals(
        false, accepts.expectDelivery().hasConnectionSettings(), "already offered on this session");
  }

  @Test
  void anAgentAskingForAnInstanceUidGetsAFreshOne() {
    Session session = new Session(70);
    entity.tell(
        new AgentProtocol.AgentReport(
            fullState(1).toBuilder()
                .setFlags(AgentToServerFlags.AgentToServerFlags_RequestInstanceUid_VALUE)
                .build(),
            session.ref()));

    ByteString assigned = session.expectDelivery().getAgentIdentification().getNewInstanceUid();
    assertEquals(16, assigned.size());
    assertEquals(7, UUID.fromString(InstanceUid.toText(assigned)).version());
    assertTrue(!assigned.equals(uid));
  }

  @Test
  void aRemoteConfigGoesStraightToAConnectedAgentThatAcceptsItAndItsStatusClosesTheEnvelope() {
    Session session = new Session(80);
    UUID envelope = UUID.randomUUID();
    AgentRemoteConfig sent = configSentToConnectedAgent(session, envelope);
    assertEquals(CONFIG, sent.getConfig());
    assertEquals(ConfigHash.of(CONFIG), sent.getConfigHash());

    entity.tell(
        new AgentProtocol.AgentReport(
            configStatus(2, sent, RemoteConfigStatuses.RemoteConfigStatuses_APPLYING),
            session.ref()));
    session.expectDelivery();
    recorded.expectNoMessage(Duration.ofMillis(100));
    entity.tell(
        new AgentProtocol.AgentReport(
            configStatus(3, sent, RemoteConfigStatuses.RemoteConfigStatuses_APPLIED),
            session.ref()));
    assertEquals(false, session.expectDelivery().hasRemoteConfig());
    assertEquals(new Recorded(envelope, EnvelopeState.APPLIED, null), recorded.receiveMessage());

    UUID again = UUID.randomUUID();
    assertEquals(
        EnvelopeState.APPLIED,
        dispatch(again, remoteConfig(CONFIG)).state(),
        "the agent already runs it");
    assertEquals(EnvelopeState.APPLIED, recorded.receiveMessage().state());
  }

  @Test
  void aRedeliveredEnvelopeIsNotSentTwiceButWhatBecameOfItIsRecordedAgain() {
    Session session = new Session(81);
    UUID envelope = UUID.randomUUID();
    AgentRemoteConfig sent = configSentToConnectedAgent(session, envelope);

    // The sweep hands the envelope back while the database still says PENDING (the SENT write was
    // lost).
    assertEquals(EnvelopeState.SENT, dispatch(envelope, remoteConfig(CONFIG)).state());
    assertEquals(
        new Recorded(envelope, EnvelopeState.SENT, "node-1"),
        recorded.receiveMessage(),
        "SENT written again");
    session.probe.expectNoMessage(Duration.ofMillis(100));

    entity.tell(
        new AgentProtocol.AgentReport(
            configStatus(2, sent, RemoteConfigStatuses.RemoteConfigStatuses_APPLIED),
            session.ref()));
    session.expectDelivery();
    assertEquals(new Recorded(envelope, EnvelopeState.APPLIED, null), recorded.receiveMessage());

    // And again once the APPLIED write was lost too: the envelope must not wait for its deadline to
    // expire it.
    assertEquals(
        new AgentProtocol.EnvelopeReceipt(EnvelopeState.APPLIED, null),
        dispatch(envelope, remoteConfig(CONFIG)));
    assertEquals(
        new Recorded(envelope, EnvelopeState.APPLIED, null),
        recorded.receiveMessage(),
        "APPLIED written again");
    session.probe.expectNoMessage(Duration.ofMillis(100));
  }

  /**
   * Connects an agent that accepts remote configs, dispatches {@code CONFIG} to it and expects it
   * sent down the session and recorded SENT; returns what the agent got.
   */
  private AgentRemoteConfig configSentToConnectedAgent(Session session, UUID envelope) {
    entity.tell(
        new AgentProtocol.AgentReport(
            withCapabilities(fullState(1), 0x1 | 0x2 | 0x1000), session.ref()));
    session.expectDelivery();
    assertEquals(EnvelopeState.SENT, dispatch(envelope, remoteConfig(CONFIG)).state());
    assertEquals(new Recorded(envelope, EnvelopeState.SENT, "node-1"), recorded.receiveMessage());
    return session.expectDelivery().getRemoteConfig();
  }

  @Test
  void aFailedApplyFailsTheEnvelopeAndANewerConfigSupersedesAnOpenOne() {
    Session session = new Session(83);
    entity.tell(
        new AgentProtocol.AgentReport(withCapabilities(fullState(1), 0x1 | 0x2), session.ref()));
    session.expectDelivery();
    UUID first = UUID.randomUUID();
    dispatch(first, remoteConfig(CONFIG));
    AgentRemoteConfig sent = session.expectDelivery().getRemoteConfig();
    recorded.receiveMessage();

    UUID second = UUID.randomUUID();
    dispatch(second, remoteConfig(OTHER_CONFIG));
    assertEquals(
        new Recorded(first, EnvelopeState.FAILED, "superseded by envelope " + second),
        recorded.receiveMessage());
    AgentRemoteConfig newer = session.expectDelivery().getRemoteConfig();
    assertEquals(EnvelopeState.SENT, recorded.receiveMessage().state());

    entity.tell(
        new AgentProtocol.AgentReport(
            configStatus(2, sent, RemoteConfigStatuses.RemoteConfigStatuses_APPLIED),
            session.ref()));
    session.expectDelivery();
    recorded.expectNoMessage(Duration.ofMillis(100));
    entity.tell(
        new AgentProtocol.AgentReport(
            configStatus(3, newer, RemoteConfigStatuses.RemoteConfigStatuses_FAILED).toBuilder()
                .setRemoteConfigStatus(
                    RemoteConfigStatus.newBuilder()
                        .setLastRemoteConfigHash(newer.getConfigHash())
                        .setStatus(RemoteConfigStatuses.RemoteConfigStatuses_FAILED)
                        .setErrorMessage("bad exporter"))
                .build(),
            session.ref()));
    session.expectDelivery();
    Recorded failed = recorded.receiveMessage();
    assertEquals(EnvelopeState.FAILED, failed.state());
    assertTrue(failed.detail().contains("bad exporter"), failed.detail());
  }

  @Test
  void aRemoteConfigIsRefusedForAnAgentThatDoesNotAcceptOne() {
    Session session = new Session(81);
    entity.tell(new AgentProtocol.AgentReport(fullState(1), session.ref()));
    session.expectDelivery();

    UUID envelope = UUID.randomUUID();
    assertEquals(EnvelopeState.FAILED, dispatch(envelope, remoteConfig(CONFIG)).state());
    assertEquals(
        new Recorded(
            envelope, EnvelopeState.FAILED, "the agent does not accept remote configuration"),
        recorded.receiveMessage());
    session.probe.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void aRemoteConfigForAnAgentNotConnectedGoesOutWhenItReports() {
    assertEquals(EnvelopeState.PENDING, dispatch(UUID.randomUUID(), remoteConfig(CONFIG)).state());

    Session session = new Session(82);
    entity.tell(
        new AgentProtocol.AgentReport(withCapabilities(fullState(1), 0x1 | 0x2), session.ref()));

    assertEquals(CONFIG, session.expectDelivery().getRemoteConfig().getConfig());
    assertEquals(EnvelopeState.SENT, recorded.receiveMessage().state());
  }

  @Test
  void aCommandForAnOfflineAgentWaitsForItsNextSessionAndIsTakenOnce() {
    UUID envelope = UUID.randomUUID();
    AgentProtocol.EnvelopeReceipt outcome = dispatch(envelope, restart());
    assertEquals(EnvelopeState.PENDING, outcome.state());
    assertEquals(
        EnvelopeState.PENDING, dispatch(envelope, restart()).state(), "a redelivery is recognised");

    Session session = new Session(84);
    entity.tell(
        new AgentProtocol.AgentReport(withCapabilities(fullState(1), 0x1 | 0x400), session.ref()));
    session.expectDelivery();
    assertEquals(CommandType.CommandType_Restart, session.expectCommand().getCommand().getType());
    assertEquals(new Recorded(envelope, EnvelopeState.SENT, "node-1"), recorded.receiveMessage());

    entity.tell(
        new AgentProtocol.AgentReport(withCapabilities(heartbeat(2), 0x1 | 0x400), session.ref()));
    assertEquals(false, session.expectDelivery().hasCommand());
    session.probe.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void whatWaitsPastItsDeadlineExpiresInsteadOfGoingOut() {
    UUID envelope = UUID.randomUUID();
    TestProbe<AgentProtocol.EnvelopeReceipt> operator = testKit.createTestProbe();
    entity.tell(
        new AgentProtocol.TakeEnvelope(
            envelope, restart(), Instant.now().plusMillis(200), operator.getRef()));
    assertEquals(EnvelopeState.PENDING, operator.receiveMessage().state());

    Recorded expired = recorded.receiveMessage(Duration.ofSeconds(3));
    assertEquals(envelope, expired.envelope());
    assertEquals(EnvelopeState.EXPIRED, expired.state());

    UUID late = UUID.randomUUID();
    entity.tell(
        new AgentProtocol.TakeEnvelope(
            late, restart(), Instant.now().minusSeconds(1), operator.getRef()));
    assertEquals(EnvelopeState.EXPIRED, operator.receiveMessage().state());
  }

  @Test
  void aPollingAgentGetsItsCommandOnItsNextPoll() {
    TestProbe<AgentProtocol.PollAnswer> poll = testKit.createTestProbe();
    entity.tell(
        new AgentProtocol.AgentPoll(
            withCapabilities(fullState(1), 0x1 | 0x400), "node-2", "token:default", poll.getRef()));
    assertEquals(false, poll.receiveMessage().message().hasCommand());

    UUID envelope = UUID.randomUUID();
    AgentProtocol.EnvelopeReceipt outcome = dispatch(envelope, restart());
    assertEquals(
        new AgentProtocol.EnvelopeReceipt(
            EnvelopeState.PENDING, "queued for the agent's next poll"),
        outcome);

    entity.tell(
        new AgentProtocol.AgentPoll(
            withCapabilities(heartbeat(2), 0x1 | 0x400), "node-2", "token:default", poll.getRef()));
    assertEquals(
        CommandType.CommandType_Restart, poll.receiveMessage().message().getCommand().getType());
    assertEquals(new Recorded(envelope, EnvelopeState.SENT, "node-2"), recorded.receiveMessage());
    entity.tell(
        new AgentProtocol.AgentPoll(
            withCapabilities(heartbeat(3), 0x1 | 0x400), "node-2", "token:default", poll.getRef()));
    assertEquals(false, poll.receiveMessage().message().hasCommand(), "delivered once");
  }

  @Test
  void commandsAreGatedByCapability() {
    Session session = new Session(90);
    entity.tell(new AgentProtocol.AgentReport(fullState(1), session.ref()));
    session.expectDelivery();
    assertEquals(
        new AgentProtocol.EnvelopeReceipt(
            EnvelopeState.FAILED, "the agent does not accept the restart command"),
        dispatch(UUID.randomUUID(), restart()));
  }

  @Test
  void customCapabilitiesAndMessagesAreRecordedAndGateWhatOperatorsSend() {
    Session session = new Session(100);
    entity.tell(
        new AgentProtocol.AgentReport(
            fullState(1).toBuilder()
                .setCustomCapabilities(
                    CustomCapabilities.newBuilder().addCapabilities("io.example.ping"))
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

    assertEquals(
        EnvelopeState.FAILED,
        dispatch(UUID.randomUUID(), customMessage("io.example.other")).state());
    TestProbe<AgentProtocol.EnvelopeReceipt> operator = testKit.createTestProbe();
    entity.tell(
        new AgentProtocol.TakeEnvelope(
            UUID.randomUUID(),
            customMessage("io.example.ping"),
            Instant.now().plusSeconds(60),
            operator.getRef()));
    operator.expectNoMessage(Duration.ofMillis(100));
    assertEquals("ping", session.expectCommand().getCustomMessage().getType());
    assertEquals(
        EnvelopeState.SENT,
        operator.receiveMessage().state(),
        "answered once the session confirmed it");
  }

  @Test
  void aCommandTheSessionNeverConfirmedGoesToTheAgentsNextSession() {
    Session dying = new Session(130);
    entity.tell(
        new AgentProtocol.AgentReport(withCapabilities(fullState(1), 0x1 | 0x400), dying.ref()));
    dying.expectDelivery();
    UUID envelope = UUID.randomUUID();
    TestProbe<AgentProtocol.EnvelopeReceipt> operator = testKit.createTestProbe();
    entity.tell(
        new AgentProtocol.TakeEnvelope(
            envelope, restart(), Instant.now().plusSeconds(60), operator.getRef()));
    dying.probe.expectMessageClass(AgentProtocol.DeliverEnvelope.class);

    // The session's node died without a word; the agent comes back on another node.
    Session next = new Session(131);
    entity.tell(
        new AgentProtocol.AgentReport(withCapabilities(heartbeat(2), 0x1 | 0x400), next.ref()));

    assertEquals(EnvelopeState.PENDING, operator.receiveMessage().state());
    next.expectDelivery();
    assertEquals(CommandType.CommandType_Restart, next.expectCommand().getCommand().getType());
    assertEquals(new Recorded(envelope, EnvelopeState.SENT, "node-1"), recorded.receiveMessage());
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

  private static final AgentConfigMap OTHER_CONFIG =
      AgentConfigMap.newBuilder()
          .putConfigMap(
              "collector.yaml",
              AgentConfigFile.newBuilder()
                  .setBody(ByteString.copyFromUtf8("exporters: {}"))
                  .build())
          .build();

  private AgentProtocol.EnvelopeReceipt dispatch(UUID envelope, ServerToAgent message) {
    TestProbe<AgentProtocol.EnvelopeReceipt> operator = testKit.createTestProbe();
    entity.tell(
        new AgentProtocol.TakeEnvelope(
            envelope, message, Instant.now().plusSeconds(60), operator.getRef()));
    return operator.receiveMessage();
  }

  private static ServerToAgent remoteConfig(AgentConfigMap config) {
    return ServerToAgent.newBuilder()
        .setRemoteConfig(
            AgentRemoteConfig.newBuilder().setConfig(config).setConfigHash(ConfigHash.of(config)))
        .build();
  }

  private static ServerToAgent restart() {
    return ServerToAgent.newBuilder()
        .setCommand(ServerToAgentCommand.newBuilder().setType(CommandType.CommandType_Restart))
        .build();
  }

  private static ServerToAgent customMessage(String capability) {
    return ServerToAgent.newBuilder()
        .setCustomMessage(
            CustomMessage.newBuilder()
                .setCapability(capability)
                .setType("ping")
                .setData(ByteString.copyFromUtf8("1")))
        .build();
  }

  private AgentToServer configStatus(
      long seq, AgentRemoteConfig config, RemoteConfigStatuses status) {
    return withCapabilities(heartbeat(seq), 0x1 | 0x2 | 0x1000).toBuilder()
        .setRemoteConfigStatus(
            RemoteConfigStatus.newBuilder()
                .setLastRemoteConfigHash(config.getConfigHash())
                .setStatus(status))
        .build();
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
    return AgentToServer.newBuilder()
        .setInstanceUid(uid)
        .setSequenceNum(seq)
        .setCapabilities(0x1)
        .build();
  }

  /** A session as the entity sees it, backed by a probe. */
  private final class Session {
    final TestProbe<AgentProtocol.SessionDirective> probe = testKit.createTestProbe();
    final long epoch;

    Session(long epoch) {
      this.epoch = epoch;
    }

    AgentProtocol.Session ref() {
      return new AgentProtocol.Session(probe.getRef(), epoch, "node-1", "token:default");
    }

    ServerToAgent expectDelivery() {
      return probe.expectMessageClass(AgentProtocol.Deliver.class).message();
    }

    /**
     * An operator command for the agent, confirmed the way a session does once it is on the socket.
     */
    ServerToAgent expectCommand() {
      AgentProtocol.DeliverEnvelope command =
          probe.expectMessageClass(AgentProtocol.DeliverEnvelope.class);
      command
          .entity()
          .tell(new AgentProtocol.EnvelopeDelivered(command.envelope(), command.epoch()));
      return command.message();
    }
  }
}
