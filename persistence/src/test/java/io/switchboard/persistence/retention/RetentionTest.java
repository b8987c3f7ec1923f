package io.switchboard.persistence.retention;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.persistence.Database;
import io.switchboard.testkit.TestDatabase;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RetentionTest {

  private TestDatabase db;
  private Database database;

  @BeforeAll
  void start() {
    db = TestDatabase.start();
    database = Database.small(db.url());
  }

  @AfterAll
  void stop() {
    database.close();
    db.close();
  }

  @Test
  void whatOutlivedItsRetentionGoesAndNothingElse() throws Exception {
    // 6,000 long-unseen agents: more than one statement's batch, so the removal repeats.
    db.execute(
        """
        INSERT INTO agents (instance_uid, state_version, connection_state, last_seen, sequence_num, session_epoch)
        SELECT 'gone-' || i, 1, 'DISCONNECTED', now() - interval '40 days', 1, 1 FROM generate_series(1, 6000) i
        """);
    db.execute(
        """
        INSERT INTO agents (instance_uid, state_version, connection_state, last_seen, sequence_num, session_epoch)
        VALUES ('recent', 1, 'DISCONNECTED', now() - interval '2 days', 1, 1),
               ('connected-long-ago', 1, 'CONNECTED', now() - interval '40 days', 1, 1)
        """);
    db.execute(
        """
        INSERT INTO agent_status_history (instance_uid, recorded_at, state_version, connection_state, session_epoch)
        VALUES ('gone-1', now() - interval '40 days', 1, 'DISCONNECTED', 1),
               ('recent', now() - interval '2 days', 1, 'DISCONNECTED', 1)
        """);
    db.execute(
        """
        INSERT INTO dispatch_envelopes (id, instance_uid, kind, payload, message, state, deadline, created_by, closed_at)
        VALUES (gen_random_uuid(), 'recent', 'RESTART', '{}', '\\x01', 'APPLIED', now(), 'test', now() - interval '100 days'),
               (gen_random_uuid(), 'recent', 'RESTART', '{}', '\\x01', 'APPLIED', now(), 'test', now() - interval '10 days'),
               (gen_random_uuid(), 'recent', 'RESTART', '{}', '\\x01', 'PENDING', now() + interval '1 day', 'test', NULL)
        """);
    db.execute(
        """
        INSERT INTO audit_events (at, actor, action, target)
        VALUES (now() - interval '400 days', 'a', 'old', 't'), (now() - interval '10 days', 'a', 'new', 't')
        """);

    Retention.Removed removed =
        new Retention(database.pool())
            .remove(Duration.ofDays(30), Duration.ofDays(90), Duration.ofDays(365))
            .toCompletableFuture()
            .get(60, TimeUnit.SECONDS);

    assertEquals(new Retention.Removed(6000, 1, 1, 0), removed);
    assertEquals(
        "2", db.queryForString("SELECT count(*) FROM agents"), "the recent and the connected stay");
    assertEquals(
        "recent",
        db.queryForString("SELECT string_agg(instance_uid, ',') FROM agent_status_history"));
    assertEquals(
        "2", db.queryForString("SELECT count(*) FROM dispatch_envelopes"), "open ones stay");
    assertEquals("new", db.queryForString("SELECT string_agg(action, ',') FROM audit_events"));
  }
}
