package io.switchboard.persistence.status;

import static io.switchboard.persistence.status.Statuses.description;
import static io.switchboard.persistence.status.Statuses.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.switchboard.persistence.Database;
import io.switchboard.testkit.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentStatusStoreTest {

  private TestDatabase db;
  private Database database;
  private AgentStatusStore store;

  @BeforeAll
  void start() {
    db = TestDatabase.start();
    database = Database.small(db.url());
    store = new AgentStatusStore(database.pool());
  }

  @AfterAll
  void stop() {
    database.close();
    db.close();
  }

  @BeforeEach
  void empty() {
    db.execute("TRUNCATE agents, agent_status_history");
  }

  @Test
  void aBatchOfAThousandLandsInOneCallAndIsQueryableByJsonPath() throws Exception {
    List<AgentStatus> batch = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      batch.add(status("agent-" + i, 1, description("service-" + (i % 10))));
    }

    long written = upsert(batch);

    assertEquals(1000, written);
    assertEquals("1000", db.queryForString("SELECT count(*) FROM agents"));
    assertEquals(
        "100",
        db.queryForString(
            "SELECT count(*) FROM agents WHERE description->'identifying_attributes'->>'service.name' = ?",
            "service-3"));
  }

  @Test
  void aNullJsonPartKeepsTheStoredValue() throws Exception {
    upsert(List.of(status("agent-1", 1, description("checkout"))));

    upsert(List.of(status("agent-1", 2, null)));

    assertEquals(
        "checkout",
        db.queryForString(
            "SELECT description->'identifying_attributes'->>'service.name' FROM agents WHERE instance_uid = ?",
            "agent-1"));
    assertEquals(
        "2",
        db.queryForString("SELECT state_version FROM agents WHERE instance_uid = ?", "agent-1"));
  }

  @Test
  void anOlderVersionNeverOverwritesANewerOne() throws Exception {
    upsert(List.of(status("agent-1", 5, description("new"))));

    long written = upsert(List.of(status("agent-1", 4, description("old"))));

    assertEquals(0, written);
    assertEquals(
        "new",
        db.queryForString(
            "SELECT description->'identifying_attributes'->>'service.name' FROM agents WHERE instance_uid = ?",
            "agent-1"));
  }

  @Test
  void onlyNotableStatusesThatWereWrittenLeaveHistory() throws Exception {
    upsert(List.of(status("agent-1", 1, description("first"))));
    upsert(List.of(status("agent-1", 2, null)));
    upsert(List.of(status("agent-1", 3, description("second"))));
    upsert(List.of(status("agent-1", 1, description("stale"))));

    assertEquals(
        "2",
        db.queryForString(
            "SELECT count(*) FROM agent_status_history WHERE instance_uid = 'agent-1'"));
    assertEquals(
        "second",
        db.queryForString(
            "SELECT description->'identifying_attributes'->>'service.name' FROM agent_status_history"
                + " WHERE instance_uid = 'agent-1' ORDER BY state_version DESC LIMIT 1"));
  }

  @Test
  void nullAndNonNullElementsMixInOneBatch() throws Exception {
    AgentStatus withDescription = status("agent-1", 1, description("checkout"));
    AgentStatus withoutOwner = status("agent-2", 1, null);
    withoutOwner =
        new AgentStatus(
            withoutOwner.instanceUid(),
            1,
            ConnectionState.DISCONNECTED,
            withoutOwner.lastSeen(),
            1,
            null,
            1,
            null,
            null,
            null,
            "{\"healthy\":false}",
            null,
            null,
            null,
            null,
            null,
            false,
            withoutOwner.producedAt(),
            withoutOwner.pendingSince());

    assertEquals(2, upsert(List.of(withDescription, withoutOwner)));

    assertEquals(
        "node-a",
        db.queryForString("SELECT owner_node FROM agents WHERE instance_uid = 'agent-1'"));
    assertNull(db.queryForString("SELECT owner_node FROM agents WHERE instance_uid = 'agent-2'"));
    assertNull(db.queryForString("SELECT health::text FROM agents WHERE instance_uid = 'agent-1'"));
    assertEquals(
        "false",
        db.queryForString("SELECT health->>'healthy' FROM agents WHERE instance_uid = 'agent-2'"));
    assertNull(
        db.queryForString("SELECT description::text FROM agents WHERE instance_uid = 'agent-2'"));
  }

  @Test
  void aBatchWithTheSameAgentTwiceIsRefusedWhole() {
    ExecutionException refused =
        assertThrows(
            ExecutionException.class,
            () ->
                upsert(
                    List.of(
                        status("agent-1", 1, null),
                        status("agent-2", 1, null),
                        status("agent-1", 2, null))));

    assertInstanceOf(IllegalArgumentException.class, refused.getCause());
    assertEquals("0", db.queryForString("SELECT count(*) FROM agents"));
  }

  private long upsert(List<AgentStatus> batch) throws Exception {
    return store.upsert(batch).toCompletableFuture().get(20, TimeUnit.SECONDS).written();
  }
}
