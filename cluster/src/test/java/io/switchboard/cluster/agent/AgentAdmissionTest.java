package io.switchboard.cluster.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.switchboard.cluster.limits.TokenBucket;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.opamp.proto.AgentConfigFile;
import io.switchboard.opamp.proto.AgentConfigMap;
import io.switchboard.opamp.proto.AgentToServer;
import io.switchboard.opamp.proto.AgentToServerFlags;
import io.switchboard.opamp.proto.CustomCapabilities;
import io.switchboard.opamp.proto.CustomMessage;
import io.switchboard.opamp.proto.ServerErrorResponseType;
import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.persistence.agents.AgentStart;
import io.switchboard.persistence.envelopes.EnvelopeKind;
import io.switchboard.persistence.envelopes.EnvelopeState;
import io.switchboard.persistence.envelopes.LatestEnvelope;
import io.switchboard.persistence.status.AgentStatus;
import io.switchboard.persistence.status.StatusWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Which sessions an agent's entity admits, and what it bounds: an agent's identity belongs to the
 * credential it was first seen with; new agents per second, polls per agent and new instance_uids
 * per session are bounded; custom messages are kept only for declared capabilities.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentAdmissionTest {

  private static final String OWNER = "token:edge";
  private static final String IMPOSTOR = "token:core";

  private final ActorTestKit testKit = ActorTestKit.create();
  private final String instanceUid = UUID.randomUUID().toString();
  private final ByteString uid = InstanceUid.toBytes(instanceUid);

  private TestProbe<ClusterSharding.ShardCommand> shard;
  private TestProbe<StatusWriter.Command> writer;
  private TestProbe<String> conflicts;

  /** What the database answers the start read with; a failure when null. */
  private AtomicReference<AgentStart> stored;

  private TokenBucket newAgents;

  @AfterAll
  void stop() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void probes() {
    shard = testKit.createTestProbe();
    writer = testKit.createTestProbe();
    conflicts = testKit.createTestProbe();
    stored = new AtomicReference<>(new AgentStart(true, null, Map.of()));
    newAgents = new TokenBucket(1000, 1000);
  }

  private ActorRef<AgentProtocol.Command> spawn() {
    EnvelopeLedger ledger =
        new EnvelopeLedger() {
          @Override
          public void sent(UUID envelope, String node) {}

          @Override
          public void closed(UUID envelope, EnvelopeState outcome, String detail) {}
        };
    AgentStarts starts =
        uid -> {
          AgentStart start = stored.get();
          return start == null
              ? CompletableFuture.failedFuture(new IllegalStateException("the database is away"))
              : CompletableFuture.completedFuture(start);
        };
    return testKit.spawn(
        AgentEntity.create(
            instanceUid,
            shard.getRef(),
            new AgentDependencies(
                writer.getRef(),
                ledger,
                starts,
                newAgents,
                (agent, bound, presented, node) ->
                    conflicts.getRef().tell(bound + " <- " + presented)),
            new AgentEntitySettings(
                Duration.ofMinutes(5),
                Duration.ofSeconds(30),
                Duration.ofSeconds(90),
                0.5,
                2,
                Duration.ofMillis(200)),
            Clock.systemUTC()));
  }

  @Test
  void theFirstCredentialBindsTheIdentityAndAnotherIsRefusedWithoutDisturbingTheRightfulSession() {
    stored.set(
        new AgentStart(
            true,
            null,
            Map.of(
                EnvelopeKind.REMOTE_CONFIG,
                new LatestEnvelope(
                    UUID.randomUUID(),
                    remoteConfig().toByteArray(),
                    EnvelopeState.SENT,
                    Instant.now().plusSeconds(60)))));
    ActorRef<AgentProtocol.Command> entity = spawn();
    Session rightful = new Session(10, OWNER);
    entity.tell(report(heartbeat(1, 0x1 | 0x2), rightful));
    assertTrue(
        rightful.expectReply().hasRemoteConfig(), "the desired config goes to the rightful agent");
    assertEquals(OWNER, expectStatus().principal(), "the binding is stored with the status");

    Session impostor = new Session(11, IMPOSTOR);
    entity.tell(report(heartbeat(1, 0x1 | 0x2), impostor));
    AgentProtocol.Refuse refused = impostor.probe.expectMessageClass(AgentProtocol.Refuse.class);
    assertTrue(refused.policyViolation());
    assertEquals(
        ServerErrorResponseType.ServerErrorResponseType_BadRequest,
        refused.message().getErrorResponse().getType());
    assertFalse(refused.message().hasRemoteConfig(), "the impostor never sees the config");
    assertEquals(OWNER + " <- " + IMPOSTOR, conflicts.receiveMessage(), "audited");
    impostor.probe.expectNoMessage(Duration.ofMillis(200));

    entity.tell(report(heartbeat(2, 0x1 | 0x2), rightful));
    assertFalse(rightful.expectReply().hasErrorResponse(), "the rightful session carries on");
    rightful.probe.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void aReconnectWithTheSameCredentialStillTakesOverFromItsOldSocket() {
    ActorRef<AgentProtocol.Command> entity = spawn();
    Session old = new Session(20, OWNER);
    entity.tell(report(heartbeat(1, 0x1), old));
    old.expectReply();

    Session reconnect = new Session(21, OWNER);
    entity.tell(report(heartbeat(1, 0x1), reconnect));
    assertInstanceOf(AgentProtocol.CloseSession.class, old.probe.receiveMessage());
    assertFalse(reconnect.expectReply().hasErrorResponse());
  }

  @Test
  void aStoredBindingHoldsFromTheStartAndAnOperatorCanResetIt() {
    stored.set(new AgentStart(true, OWNER, Map.of()));
    ActorRef<AgentProtocol.Command> entity = spawn();
    Session impostor = new Session(30, IMPOSTOR);
    entity.tell(report(heartbeat(1, 0x1), impostor));
    impostor.probe.expectMessageClass(AgentProtocol.Refuse.class);

    TestProbe<AgentProtocol.PollAnswer> poll = testKit.createTestProbe();
    entity.tell(new AgentProtocol.AgentPoll(heartbeat(1, 0x1), "node-2", IMPOSTOR, poll.getRef()));
    assertEquals(403, poll.receiveMessage().httpStatus());

    entity.tell(new AgentProtocol.CredentialReset());
    Session reenrolled = new Session(31, IMPOSTOR);
    entity.tell(report(heartbeat(1, 0x1), reenrolled));
    assertFalse(
        reenrolled.expectReply().hasErrorResponse(), "after a reset the next credential binds");
    assertEquals(IMPOSTOR, expectStatus().principal());
  }

  @Test
  void withoutACredentialASessionIsAdmittedOnlyToAnUnboundIdentity() {
    stored.set(new AgentStart(true, OWNER, Map.of()));
    ActorRef<AgentProtocol.Command> entity = spawn();
    Session anonymous = new Session(35, null);
    entity.tell(report(heartbeat(1, 0x1), anonymous));
    anonymous.probe.expectMessageClass(AgentProtocol.Refuse.class);
  }

  @Test
  void whenTheDatabaseCannotBeReadTheFirstSessionIsProvisionalUntilTheStoredBindingWins() {
    stored.set(null);
    ActorRef<AgentProtocol.Command> entity = spawn();
    Session provisional = new Session(40, IMPOSTOR);
    entity.tell(report(heartbeat(1, 0x1), provisional));
    assertFalse(provisional.expectReply().hasErrorResponse(), "served while the database is away");

    stored.set(new AgentStart(true, OWNER, Map.of()));
    AgentProtocol.CloseSession closed =
        provisional.probe.expectMessageClass(
            AgentProtocol.CloseSession.class, Duration.ofSeconds(5));
    assertTrue(closed.reason().contains("another credential"), closed.reason());
    Session rightful = new Session(41, OWNER);
    entity.tell(report(heartbeat(2, 0x1), rightful));
    assertFalse(rightful.expectReply().hasErrorResponse());
  }

  @Test
  void aNewAgentPastTheNodesNewAgentsPerSecondIsTurnedAwayAndKeepsNothing() {
    stored.set(AgentStart.UNKNOWN);
    newAgents = new TokenBucket(0.001, 1);
    assertTrue(newAgents.tryTake(), "another new agent took the only place");
    ActorRef<AgentProtocol.Command> entity = spawn();
    Session session = new Session(50, OWNER);
    entity.tell(report(heartbeat(1, 0x1), session));

    AgentProtocol.Refuse refused = session.probe.expectMessageClass(AgentProtocol.Refuse.class);
    assertFalse(refused.policyViolation(), "asked to come back, not accused");
    assertEquals(
        ServerErrorResponseType.ServerErrorResponseType_Unavailable,
        refused.message().getErrorResponse().getType());
    assertTrue(refused.message().getErrorResponse().getRetryInfo().getRetryAfterNanoseconds() > 0);
    assertInstanceOf(ClusterSharding.Passivate.class, shard.receiveMessage(), "the entity stops");
    writer.expectNoMessage(Duration.ofMillis(300));
  }

  @Test
  void aKnownAgentIsNotANewOne() {
    newAgents = new TokenBucket(0.001, 1);
    assertTrue(newAgents.tryTake());
    ActorRef<AgentProtocol.Command> entity = spawn();
    Session session = new Session(55, OWNER);
    entity.tell(report(heartbeat(1, 0x1), session));
    assertFalse(session.expectReply().hasErrorResponse());
  }

  @Test
  void aSessionGetsOneNewInstanceUidAtMost() {
    ActorRef<AgentProtocol.Command> entity = spawn();
    Session session = new Session(60, OWNER);
    AgentToServer asking =
        heartbeat(1, 0x1).toBuilder()
            .setFlags(AgentToServerFlags.AgentToServerFlags_RequestInstanceUid_VALUE)
            .build();
    entity.tell(report(asking, session));
    assertTrue(session.expectReply().hasAgentIdentification());

    entity.tell(report(asking.toBuilder().setSequenceNum(2).build(), session));
    ServerToAgent second = session.expectReply();
    assertFalse(second.hasAgentIdentification());
    assertTrue(
        second.getErrorResponse().getErrorMessage().contains("assigned in this session already"));

    Session next = new Session(61, OWNER);
    entity.tell(report(asking.toBuilder().setSequenceNum(3).build(), next));
    assertTrue(next.expectReply().hasAgentIdentification(), "a new session may ask again");
  }

  @Test
  void aPollingAgentOverItsRateIsAskedToComeBackAndNothingIsRecorded() {
    ActorRef<AgentProtocol.Command> entity = spawn();
    TestProbe<AgentProtocol.PollAnswer> poll = testKit.createTestProbe();
    List<Integer> statuses = new ArrayList<>();
    for (int seq = 1; seq <= 3; seq++) {
      entity.tell(new AgentProtocol.AgentPoll(heartbeat(seq, 0x1), "node-2", OWNER, poll.getRef()));
      statuses.add(poll.receiveMessage().httpStatus());
    }
    assertEquals(List.of(200, 200, 429), statuses, "a burst of 2, then half a poll a second");
    expectStatus();
    expectStatus();
    writer.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void customMessagesAreKeptOnlyForDeclaredCapabilities() {
    ActorRef<AgentProtocol.Command> entity = spawn();
    Session session = new Session(70, OWNER);
    entity.tell(
        report(
            heartbeat(1, 0x1).toBuilder()
                .setCustomMessage(
                    CustomMessage.newBuilder().setCapability("io.undeclared").setType("t"))
                .build(),
            session));
    assertTrue(
        session.expectReply().getErrorResponse().getErrorMessage().contains("io.undeclared"));
    assertEquals(null, expectStatus().customMessagesJson(), "nothing kept");

    entity.tell(
        report(
            heartbeat(2, 0x1).toBuilder()
                .setCustomCapabilities(
                    CustomCapabilities.newBuilder().addCapabilities("io.declared"))
                .setCustomMessage(
                    CustomMessage.newBuilder().setCapability("io.declared").setType("t"))
                .build(),
            session));
    assertFalse(session.expectReply().hasErrorResponse());
    assertTrue(expectStatus().customMessagesJson().contains("io.declared"));
  }

  @Test
  void anOperatorRemovingTheAgentEndsItsSessionAndStopsTheEntity() {
    ActorRef<AgentProtocol.Command> entity = spawn();
    Session session = new Session(80, OWNER);
    entity.tell(report(heartbeat(1, 0x1), session));
    session.expectReply();
    expectStatus();

    TestProbe<Done> removed = testKit.createTestProbe();
    entity.tell(new AgentProtocol.Remove(removed.getRef()));
    assertInstanceOf(AgentProtocol.CloseSession.class, session.probe.receiveMessage());
    removed.expectMessage(Done.getInstance());
    assertInstanceOf(ClusterSharding.Passivate.class, shard.receiveMessage());
    writer.expectNoMessage(Duration.ofMillis(200));
  }

  private AgentStatus expectStatus() {
    return writer.expectMessageClass(StatusWriter.Record.class).status();
  }

  private AgentProtocol.AgentReport report(AgentToServer message, Session session) {
    return new AgentProtocol.AgentReport(message, session.ref());
  }

  private AgentToServer heartbeat(long seq, long capabilities) {
    return AgentToServer.newBuilder()
        .setInstanceUid(uid)
        .setSequenceNum(seq)
        .setCapabilities(capabilities)
        .build();
  }

  private static ServerToAgent remoteConfig() {
    AgentConfigMap config =
        AgentConfigMap.newBuilder()
            .putConfigMap(
                "c.yaml",
                AgentConfigFile.newBuilder().setBody(ByteString.copyFromUtf8("a: 1")).build())
            .build();
    return ServerToAgent.newBuilder()
        .setRemoteConfig(
            io.switchboard.opamp.proto.AgentRemoteConfig.newBuilder()
                .setConfig(config)
                .setConfigHash(io.switchboard.opamp.ConfigHash.of(config)))
        .build();
  }

  /** A session as the entity sees it, backed by a probe. */
  private final class Session {
    final TestProbe<AgentProtocol.SessionDirective> probe = testKit.createTestProbe();
    final long epoch;
    final String principal;

    Session(long epoch, String principal) {
      this.epoch = epoch;
      this.principal = principal;
    }

    AgentProtocol.Session ref() {
      return new AgentProtocol.Session(probe.getRef(), epoch, "node-1", principal);
    }

    ServerToAgent expectReply() {
      return probe.expectMessageClass(AgentProtocol.Deliver.class).message();
    }
  }
}
