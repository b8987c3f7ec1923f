package io.switchboard.persistence.assignments;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.persistence.Database;
import io.switchboard.persistence.Sql;
import io.switchboard.testkit.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Overrides made by many API calls at once are written together in few statements, and of several
 * for one agent the last call's is kept.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OverrideWritesTest {

  private TestDatabase db;
  private Database database;
  private OverrideWrites overrides;

  @BeforeAll
  void start() {
    db = TestDatabase.start();
    database = Database.small(db.url());
    overrides = new OverrideWrites(new Sql(database.pool()));
  }

  @AfterAll
  void stop() {
    database.close();
    db.close();
  }

  @Test
  void manyCallsAtOnceAreAllWrittenAndTheLastOfOneAgentWins() throws Exception {
    List<CompletableFuture<Boolean>> calls = new ArrayList<>();
    UUID last = null;
    for (int i = 0; i < 1200; i++) {
      calls.add(
          overrides.set("agent-" + (i % 300), UUID.randomUUID(), "op-" + i).toCompletableFuture());
    }
    for (int round = 0; round < 5; round++) {
      last = UUID.randomUUID();
      calls.add(
          overrides.set("agent-repeated", last, "op-repeated-" + round).toCompletableFuture());
    }
    CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

    assertEquals("301", db.queryForString("SELECT count(*) FROM config_overrides"));
    assertEquals(
        last + " op-repeated-4",
        db.queryForString(
            "SELECT envelope_id || ' ' || set_by FROM config_overrides WHERE instance_uid = 'agent-repeated'"));
    // agent-7's last call was number 907 (7 + 3 * 300).
    assertEquals(
        "op-907",
        db.queryForString("SELECT set_by FROM config_overrides WHERE instance_uid = 'agent-7'"));
  }

  @Test
  void anOverrideWithoutEnvelopeIsKept() throws Exception {
    await(overrides.set("agent-without-envelope", null, "test"));
    assertEquals(
        "test",
        db.queryForString(
            "SELECT set_by FROM config_overrides WHERE instance_uid = 'agent-without-envelope' AND envelope_id IS NULL"));
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
