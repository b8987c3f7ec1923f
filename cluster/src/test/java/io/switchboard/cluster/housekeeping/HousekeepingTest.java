package io.switchboard.cluster.housekeeping;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.persistence.Database;
import io.switchboard.persistence.history.HistoryRetention;
import io.switchboard.persistence.retention.Retention;
import io.switchboard.testkit.TestDatabase;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HousekeepingTest {

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

  @Test
  void createsTheComingDaysPartitionsAndDropsExpiredOnes() throws Exception {
    HistoryRetention history = new HistoryRetention(database.pool());
    history
        .ensurePartitions(LocalDate.of(2026, 5, 1), 0)
        .toCompletableFuture()
        .get(20, TimeUnit.SECONDS);
    Clock may31 = Clock.fixed(Instant.parse("2026-05-31T10:00:00Z"), ZoneOffset.UTC);

    testKit.spawn(
        Housekeeping.create(
            history,
            new Retention(database.pool()),
            new Housekeeping.Settings(
                Duration.ofDays(14),
                2,
                Duration.ofHours(1),
                Duration.ofDays(30),
                Duration.ofDays(90),
                Duration.ofDays(365)),
            may31));

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              assertEquals(
                  "agent_status_history_20260602", regclass("agent_status_history_20260602"));
              assertEquals(null, regclass("agent_status_history_20260501"));
            });
    assertEquals("agent_status_history_20260531", regclass("agent_status_history_20260531"));
  }

  @Test
  void purgesExpiredOperatorSessionsAndKeepsLiveOnes() {
    db.execute(
        "INSERT INTO operators (username, password_hash, role) VALUES ('purged', 'x', 'VIEWER')");
    db.execute(
        "INSERT INTO operator_sessions (token_hash, username, csrf_token, expires_at) VALUES"
            + " ('\\x01', 'purged', 'c', now() - interval '1 minute'),"
            + " ('\\x02', 'purged', 'c', now() + interval '1 hour')");
    db.execute(
        "INSERT INTO sso_logins (state_hash, code_verifier, nonce, expires_at)"
            + " VALUES ('\\x03', 'v', 'n', now() - interval '1 minute')");

    testKit.spawn(
        Housekeeping.create(
            new HistoryRetention(database.pool()),
            new Retention(database.pool()),
            new Housekeeping.Settings(
                Duration.ofDays(14),
                2,
                Duration.ofHours(1),
                Duration.ofDays(30),
                Duration.ofDays(90),
                Duration.ofDays(365)),
            Clock.systemUTC()));

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertEquals(
                    "\\x02",
                    db.queryForString(
                        "SELECT string_agg(token_hash::text, ',') FROM operator_sessions"
                            + " WHERE username = 'purged'")));
    assertEquals("0", db.queryForString("SELECT count(*) FROM sso_logins"));
  }

  private String regclass(String table) {
    return db.queryForString("SELECT to_regclass('" + table + "')::text");
  }
}
