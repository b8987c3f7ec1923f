package io.switchboard.persistence.status;

import static io.switchboard.persistence.status.Statuses.description;
import static io.switchboard.persistence.status.Statuses.status;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.persistence.Database;
import io.switchboard.testkit.TestDatabase;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StatusWriterTest {

  private final ActorTestKit testKit = ActorTestKit.create();
  private TestDatabase db;
  private Database database;

  @BeforeAll
  void start() {
    db = TestDatabase.start();
    database = Database.small(db.url());
  }

  @AfterAll
  void stop() {
    testKit.shutdownTestKit();
    database.close();
    db.close();
  }

  @BeforeEach
  @AfterEach
  void empty() {
    db.execute("TRUNCATE agents, agent_status_history");
  }

  @Test
  void keepsOnlyTheLatestStatusOfEachAgent() {
    ActorRef<StatusWriter.Command> writer = spawnWriter(1000, Duration.ofSeconds(30));

    for (int version = 1; version <= 200; version++) {
      for (int agent = 0; agent < 5; agent++) {
        String json = version == 1 ? description("svc-" + agent) : null;
        writer.tell(new StatusWriter.Record(status("agent-" + agent, version, json)));
      }
    }
    flush(writer);

    assertEquals("5", db.queryForString("SELECT count(*) FROM agents"));
    assertEquals("200", db.queryForString("SELECT min(state_version) FROM agents"));
    assertEquals(
        "svc-4",
        db.queryForString(
            "SELECT description->'identifying_attributes'->>'service.name' FROM agents WHERE instance_uid = ?",
            "agent-4"));
  }

  @Test
  void aThousandUpdatesOfOneAgentBecomeOneRowWithTheLatestState() {
    ActorRef<StatusWriter.Command> writer = spawnWriter(1000, Duration.ofSeconds(30));

    for (int version = 1; version <= 1000; version++) {
      writer.tell(
          new StatusWriter.Record(status("agent-0", version, description("svc-" + version))));
    }
    flush(writer);

    assertEquals("1", db.queryForString("SELECT count(*) FROM agents"));
    assertEquals(
        "1000",
        db.queryForString("SELECT state_version FROM agents WHERE instance_uid = 'agent-0'"));
    assertEquals(
        "svc-1000",
        db.queryForString(
            "SELECT description->'identifying_attributes'->>'service.name' FROM agents"));
  }

  @Test
  void flushesAsSoonAsABatchIsFullWithoutWaitingForTheTimer() {
    ActorRef<StatusWriter.Command> writer = spawnWriter(10, Duration.ofHours(1));

    for (int agent = 0; agent < 10; agent++) {
      writer.tell(new StatusWriter.Record(status("agent-" + agent, 1, description("svc"))));
    }

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertEquals("10", db.queryForString("SELECT count(*) FROM agents")));
  }

  @Test
  void flushesOnTimeWhenTheBatchIsNotFull() {
    ActorRef<StatusWriter.Command> writer = spawnWriter(1000, Duration.ofMillis(100));

    writer.tell(new StatusWriter.Record(status("agent-1", 1, description("svc"))));

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertEquals("1", db.queryForString("SELECT count(*) FROM agents")));
  }

  @Test
  void keepsTheLatestStateThroughADatabaseOutageAndWritesItOnRecovery() {
    ActorRef<StatusWriter.Command> writer = spawnWriter(50, Duration.ofMillis(50));
    writer.tell(new StatusWriter.Record(status("agent-0", 1, description("before-outage"))));
    flush(writer);

    db.stopServer();
    try {
      for (int version = 2; version <= 20; version++) {
        for (int agent = 0; agent < 100; agent++) {
          String json = version == 2 ? description("during-outage-" + agent) : null;
          writer.tell(new StatusWriter.Record(status("agent-" + agent, version, json)));
        }
      }
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> backlog(writer).consecutiveFailures() >= 2);
      assertEquals(
          true,
          backlog(writer).pendingAgents() > 0,
          "the writer still holds the agents' latest state");
    } finally {
      db.startServer();
    }

    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              assertEquals(
                  "100", db.queryForString("SELECT count(*) FROM agents WHERE state_version = 20"));
              assertEquals(
                  "during-outage-0",
                  db.queryForString(
                      "SELECT description->'identifying_attributes'->>'service.name' FROM agents"
                          + " WHERE instance_uid = ?",
                      "agent-0"));
            });
  }

  @Test
  void oneAgentsUnstorableStatusFailsNobodyElsesAndLeavesItsLastStoredReport() {
    ActorRef<StatusWriter.Command> writer = spawnWriter(1000, Duration.ofSeconds(30));
    writer.tell(new StatusWriter.Record(status("hostile", 1, description("before"))));
    flush(writer);

    // JSON text PostgreSQL's jsonb refuses (22P05): what one agent's NUL would have become.
    writer.tell(new StatusWriter.Record(status("hostile", 2, description("bad\\u0000name"))));
    for (int agent = 0; agent < 999; agent++) {
      writer.tell(
          new StatusWriter.Record(status("agent-" + agent, 1, description("svc-" + agent))));
    }
    flush(writer);

    assertEquals(
        "999", db.queryForString("SELECT count(*) FROM agents WHERE instance_uid LIKE 'agent-%'"));
    assertEquals(
        "before",
        db.queryForString(
            "SELECT description->'identifying_attributes'->>'service.name' FROM agents WHERE instance_uid = 'hostile'"));
    assertEquals(
        "2", db.queryForString("SELECT state_version FROM agents WHERE instance_uid = 'hostile'"));
    assertEquals(0, backlog(writer).consecutiveFailures(), "a refused row is not a failed flush");
  }

  @Test
  void pastItsByteBoundTheWriterKeepsOnlyLiveness() {
    // Room for one description (about 110 bytes in memory) but not two.
    ActorRef<StatusWriter.Command> writer =
        testKit.spawn(
            StatusWriter.create(
                new AgentStatusStore(database.pool()),
                new StatusWriterSettings(
                    1000,
                    Duration.ofHours(1),
                    Duration.ofMillis(50),
                    Duration.ofMillis(500),
                    2,
                    5,
                    16L << 20,
                    150)));

    writer.tell(new StatusWriter.Record(status("first", 1, description("kept"))));
    writer.tell(new StatusWriter.Record(status("second", 1, description("shed"))));
    flush(writer);

    assertEquals(
        "kept",
        db.queryForString(
            "SELECT description->'identifying_attributes'->>'service.name' FROM agents WHERE instance_uid = 'first'"));
    assertEquals(
        null,
        db.queryForString("SELECT description::text FROM agents WHERE instance_uid = 'second'"),
        "past the bound only liveness is kept");
    assertEquals(
        "CONNECTED",
        db.queryForString("SELECT connection_state FROM agents WHERE instance_uid = 'second'"));
  }

  @Test
  void afterAFlushItTellsWhichAgentsNewDescriptionsItStored() {
    TestProbe<List<String>> described = testKit.createTestProbe();
    ActorRef<StatusWriter.Command> writer =
        testKit.spawn(
            StatusWriter.create(
                new AgentStatusStore(database.pool()),
                new StatusWriterSettings(
                    1000,
                    Duration.ofHours(1),
                    Duration.ofMillis(50),
                    Duration.ofMillis(500),
                    2,
                    5,
                    16L << 20,
                    256L << 20),
                uids -> described.getRef().tell(uids)));

    writer.tell(new StatusWriter.Record(status("described", 1, description("svc"))));
    writer.tell(new StatusWriter.Record(status("silent", 1, null)));
    flush(writer);
    // Told once the rows are committed: the agents' rows are there to be read.
    assertEquals(List.of("described"), described.receiveMessage(Duration.ofSeconds(5)));
    assertEquals(
        "svc",
        db.queryForString(
            "SELECT description->'identifying_attributes'->>'service.name' FROM agents WHERE instance_uid = 'described'"));

    writer.tell(new StatusWriter.Record(status("silent", 2, null)));
    flush(writer);
    described.expectNoMessage(Duration.ofMillis(300));
  }

  private ActorRef<StatusWriter.Command> spawnWriter(int maxBatch, Duration flushInterval) {
    return testKit.spawn(
        StatusWriter.create(
            new AgentStatusStore(database.pool()),
            new StatusWriterSettings(
                maxBatch,
                flushInterval,
                Duration.ofMillis(50),
                Duration.ofMillis(500),
                2,
                5,
                16L << 20,
                256L << 20)));
  }

  private StatusWriter.Backlog backlog(ActorRef<StatusWriter.Command> writer) {
    TestProbe<StatusWriter.Backlog> probe = testKit.createTestProbe();
    writer.tell(new StatusWriter.GetBacklog(probe.getRef()));
    return probe.receiveMessage(Duration.ofSeconds(5));
  }

  private void flush(ActorRef<StatusWriter.Command> writer) {
    TestProbe<Done> done = testKit.createTestProbe();
    writer.tell(new StatusWriter.Flush(done.getRef()));
    done.expectMessage(Duration.ofSeconds(20), Done.getInstance());
  }
}
