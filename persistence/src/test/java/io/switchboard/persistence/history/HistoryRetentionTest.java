package io.switchboard.persistence.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.switchboard.persistence.Database;
import io.switchboard.testkit.TestDatabase;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HistoryRetentionTest {

  private TestDatabase db;
  private Database database;
  private HistoryRetention retention;

  @BeforeAll
  void start() {
    db = TestDatabase.start();
    database = Database.small(db.url());
    retention = new HistoryRetention(database.pool());
  }

  @AfterAll
  void stop() {
    database.close();
    db.close();
  }

  @Test
  void rowsLandInDailyPartitionsAndExpiredDaysAreDropped() throws Exception {
    LocalDate today = LocalDate.of(2026, 3, 10);
    retention
        .ensurePartitions(today.minusDays(40), 42)
        .toCompletableFuture()
        .get(20, TimeUnit.SECONDS);
    insert("2026-01-29T12:00:00Z");
    insert("2026-03-09T12:00:00Z");
    insert("2026-03-10T00:00:00Z");
    insert("2025-06-01T00:00:00Z");

    assertEquals("1", db.queryForString("SELECT count(*) FROM agent_status_history_20260310"));
    assertEquals(
        "1",
        db.queryForString("SELECT count(*) FROM agent_status_history_default"),
        "no partition that day");

    List<String> dropped =
        retention.prune(today.minusDays(30)).toCompletableFuture().get(20, TimeUnit.SECONDS);

    assertEquals(10, dropped.size(), "the days from 2026-01-29 to 2026-02-07");
    assertEquals("2", db.queryForString("SELECT count(*) FROM agent_status_history"));
    assertNull(db.queryForString("SELECT to_regclass('agent_status_history_20260129')::text"));
    assertEquals(
        "agent_status_history_20260208",
        db.queryForString("SELECT to_regclass('agent_status_history_20260208')::text"));
  }

  private void insert(String recordedAt) {
    db.execute(
        "INSERT INTO agent_status_history (instance_uid, recorded_at, state_version, connection_state, session_epoch)"
            + " VALUES ('agent', '"
            + recordedAt
            + "', 1, 'CONNECTED', 1)");
  }
}
