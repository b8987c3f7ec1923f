package io.switchboard.cluster.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.google.protobuf.ByteString;
import io.switchboard.cluster.limits.TokenBucket;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.opamp.proto.AgentDescription;
import io.switchboard.opamp.proto.AgentToServer;
import io.switchboard.opamp.proto.AnyValue;
import io.switchboard.opamp.proto.ComponentHealth;
import io.switchboard.opamp.proto.KeyValue;
import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.opamp.proto.ServerToAgentFlags;
import io.switchboard.persistence.Database;
import io.switchboard.persistence.agents.AgentRepository;
import io.switchboard.persistence.status.AgentStatusStore;
import io.switchboard.persistence.status.StatusWriter;
import io.switchboard.persistence.status.StatusWriterSettings;
import io.switchboard.testkit.TestDatabase;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.UUID;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What an agent's heartbeats write to its row on a real PostgreSQL, through the entity and the
 * node's status writer: a trigger the test adds counts every insert and update of the row.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HeartbeatWritesTest {

  private static final Duration LAST_SEEN_INTERVAL = Duration.ofMinutes(2);

  private final ActorTestKit testKit = ActorTestKit.create();
  private TestDatabase db;
  private Database database;
  private ActorRef<StatusWriter.Command> writer;
  private TestProbe<StatusWriter.Record> handedOver;
  private ActorRef<StatusWriter.Command> recordingWriter;

  @BeforeAll
  void start() {
    db = TestDatabase.start();
    database = Database.small(db.url());
    db.execute(
        "CREATE TABLE agent_row_writes (id bigserial, instance_uid text, sequence_num bigint)");
    db.execute(
        """
        CREATE FUNCTION count_agent_row_write() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          INSERT INTO agent_row_writes (instance_uid, sequence_num) VALUES (NEW.instance_uid, NEW.sequence_num);
          RETURN NULL;
        END $$""");
    db.execute(
        "CREATE TRIGGER agent_row_writes AFTER INSERT OR UPDATE ON agents"
            + " FOR EACH ROW EXECUTE FUNCTION count_agent_row_write()");
    writer =
        testKit.spawn(
            StatusWriter.create(
                new AgentStatusStore(database.pool()),
                new StatusWriterSettings(
                    1000,
                    Duration.ofMillis(20),
                    Duration.ofMillis(50),
                    Duration.ofMillis(500),
                    2,
                    5,
                    16L << 20,
                    256L << 20)));
    // Hands each record to the real writer first, then shows it to the test: once the test sees a
    // record, a Flush it sends afterwards is behind it in the writer's mailbox.
    handedOver = testKit.createTestProbe();
    recordingWriter =
        testKit.spawn(
            Behaviors.receiveMessage(
                message -> {
                  writer.tell(message);
                  if (message instanceof StatusWriter.Record record) {
                    handedOver.getRef().tell(record);
                  }
                  return Behaviors.same();
                }));
  }

  @AfterAll
  void stop() {
    testKit.shutdownTestKit();
    database.close();
    db.close();
  }

  @Test
  void heartbeatsWithinTheIntervalWriteNothingAndAnythingElseIsWrittenAtOnce() {
    String instanceUid = UUID.randomUUID().toString();
    ByteString uid = InstanceUid.toBytes(instanceUid);
    StepClock clock = new StepClock(Instant.parse("2026-12-03T12:00:00Z"));
    TestProbe<AgentProtocol.SessionDirective> session = testKit.createTestProbe();
    ActorRef<AgentProtocol.Command> entity = spawnEntity(instanceUid, clock);

    entity.tell(report(describing(heartbeat(uid, 1), true), session, 1));
    session.expectMessageClass(AgentProtocol.Deliver.class);
    assertEquals(1, handedOver.receiveMessage().status().sequenceNum());
    flush();
    assertEquals("1", writes(instanceUid), "the first message is written");

    for (int seq = 2; seq <= 11; seq++) {
      clock.advance(Duration.ofSeconds(10));
      entity.tell(report(heartbeat(uid, seq), session, 1));
      session.expectMessageClass(AgentProtocol.Deliver.class);
    }

    clock.advance(Duration.ofSeconds(5));
    entity.tell(
        report(heartbeat(uid, 12).toBuilder().setHealth(health(false)).build(), session, 1));
    session.expectMessageClass(AgentProtocol.Deliver.class);
    assertEquals(
        12,
        handedOver.receiveMessage().status().sequenceNum(),
        "the ten heartbeats within the interval were not handed to the writer");
    flush();
    assertEquals("1,12", writes(instanceUid), "a health change is written at once, alone");
    assertEquals(
        "false",
        db.queryForString(
            "SELECT health->>'healthy' FROM agents WHERE instance_uid = ?", instanceUid));
    assertEquals(clock.instant(), lastSeen(instanceUid));

    clock.advance(LAST_SEEN_INTERVAL.minusSeconds(1));
    entity.tell(report(heartbeat(uid, 13), session, 1));
    session.expectMessageClass(AgentProtocol.Deliver.class);
    clock.advance(Duration.ofSeconds(1));
    entity.tell(report(heartbeat(uid, 14), session, 1));
    session.expectMessageClass(AgentProtocol.Deliver.class);
    assertEquals(
        14,
        handedOver.receiveMessage().status().sequenceNum(),
        "the heartbeat once the stored last-seen time is the interval old is written");
    flush();
    assertEquals("1,12,14", writes(instanceUid));
    assertEquals(clock.instant(), lastSeen(instanceUid));
    assertEquals(
        "14",
        db.queryForString(
            "SELECT sequence_num::text FROM agents WHERE instance_uid = ?", instanceUid));

    // The stored sequence number is now behind (15 went unwritten). A new incarnation, as after a
    // failover, reads none of it: it asks the agent for its full state, and writes what it gets.
    clock.advance(Duration.ofSeconds(10));
    entity.tell(report(heartbeat(uid, 15), session, 1));
    session.expectMessageClass(AgentProtocol.Deliver.class);
    testKit.stop(entity);
    ActorRef<AgentProtocol.Command> incarnation = spawnEntity(instanceUid, clock);
    TestProbe<AgentProtocol.SessionDirective> moved = testKit.createTestProbe();
    clock.advance(Duration.ofSeconds(10));
    incarnation.tell(report(heartbeat(uid, 16), moved, 2));
    ServerToAgent answer = moved.expectMessageClass(AgentProtocol.Deliver.class).message();
    assertNotEquals(
        0,
        answer.getFlags() & ServerToAgentFlags.ServerToAgentFlags_ReportFullState_VALUE,
        "a new incarnation asks for full state");
    assertEquals(
        16, handedOver.receiveMessage().status().sequenceNum(), "a new session is written");
    flush();
    incarnation.tell(report(describing(heartbeat(uid, 17), true), moved, 2));
    moved.expectMessageClass(AgentProtocol.Deliver.class);
    assertEquals(17, handedOver.receiveMessage().status().sequenceNum());
    flush();
    assertEquals("1,12,14,16,17", writes(instanceUid));
    assertEquals(
        "true",
        db.queryForString(
            "SELECT health->>'healthy' FROM agents WHERE instance_uid = ?", instanceUid),
        "the full state the agent sent again is stored");
    testKit.stop(incarnation);
  }

  private ActorRef<AgentProtocol.Command> spawnEntity(String instanceUid, Clock clock) {
    TestProbe<ClusterSharding.ShardCommand> shard = testKit.createTestProbe();
    return testKit.spawn(
        AgentEntity.create(
            instanceUid,
            shard.getRef(),
            new AgentDependencies(
                recordingWriter,
                new EnvelopeLedger() {
                  @Override
                  public void sent(UUID envelope, String node) {}

                  @Override
                  public void closed(
                      UUID envelope,
                      io.switchboard.persistence.envelopes.EnvelopeState outcome,
                      String detail) {}
                },
                AgentStarts.batched(new AgentRepository(database.pool())),
                new TokenBucket(1000, 1000),
                (uid, bound, presented, node) -> {}),
            new AgentEntitySettings(
                    Duration.ofMinutes(2),
                    Duration.ofSeconds(30),
                    Duration.ofMinutes(10),
                    100,
                    100,
                    Duration.ofSeconds(1))
                .withLastSeenInterval(LAST_SEEN_INTERVAL),
            clock));
  }

  private void flush() {
    TestProbe<Done> done = testKit.createTestProbe();
    writer.tell(new StatusWriter.Flush(done.getRef()));
    done.expectMessage(Duration.ofSeconds(10), Done.getInstance());
  }

  /** The sequence numbers of every write of the agent's row, in order. */
  private String writes(String instanceUid) {
    return db.queryForString(
        "SELECT string_agg(sequence_num::text, ',' ORDER BY id) FROM agent_row_writes"
            + " WHERE instance_uid = ?",
        instanceUid);
  }

  private Instant lastSeen(String instanceUid) {
    return Instant.parse(
        db.queryForString(
            "SELECT to_char(last_seen AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
                + " FROM agents WHERE instance_uid = ?",
            instanceUid));
  }

  private static AgentProtocol.AgentReport report(
      AgentToServer message, TestProbe<AgentProtocol.SessionDirective> session, long epoch) {
    return new AgentProtocol.AgentReport(
        message, new AgentProtocol.Session(session.getRef(), epoch, "node-1", "token:default"));
  }

  private static AgentToServer heartbeat(ByteString uid, long seq) {
    // ReportsStatus | ReportsHealth | ReportsHeartbeat
    return AgentToServer.newBuilder()
        .setInstanceUid(uid)
        .setSequenceNum(seq)
        .setCapabilities(0x1 | 0x800 | 0x2000)
        .build();
  }

  private static AgentToServer describing(AgentToServer message, boolean healthy) {
    return message.toBuilder()
        .setAgentDescription(
            AgentDescription.newBuilder()
                .addIdentifyingAttributes(
                    KeyValue.newBuilder()
                        .setKey("service.name")
                        .setValue(AnyValue.newBuilder().setStringValue("checkout"))))
        .setHealth(health(healthy))
        .build();
  }

  private static ComponentHealth health(boolean healthy) {
    return ComponentHealth.newBuilder()
        .setHealthy(healthy)
        .setStatus(healthy ? "running" : "degraded")
        .build();
  }

  /** A clock the test moves forward by hand. */
  private static final class StepClock extends Clock {
    private volatile Instant now;

    StepClock(Instant start) {
      this.now = start;
    }

    void advance(Duration by) {
      now = now.plus(by);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
