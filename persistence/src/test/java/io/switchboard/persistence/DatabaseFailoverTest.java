package io.switchboard.persistence;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.persistence.agents.AgentRepository;
import io.switchboard.persistence.status.AgentStatus;
import io.switchboard.persistence.status.AgentStatusStore;
import io.switchboard.persistence.status.ConnectionState;
import io.switchboard.testkit.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two real PostgreSQL servers standing in for a primary and its replica or successor. */
class DatabaseFailoverTest {

  /** Unused by an external database, but part of its settings. */
  @TempDir Path dataDir;

  @Test
  void withSeveralHostsWritesFollowTheServerThatIsStillThere() throws Exception {
    try (TestDatabase first = TestDatabase.start();
        TestDatabase second = TestDatabase.start()) {
      // Opening migrates the server it reaches, the first; the second, standing in for the replica
      // that is promoted, has the schema too.
      Database.migrate(endpoint(second));
      try (Database database = Database.open(bothHosts(first, second), settings())) {
        AgentStatusStore store = new AgentStatusStore(database.pool());
        store
            .upsert(List.of(status("before-failover")))
            .toCompletableFuture()
            .get(20, TimeUnit.SECONDS);
        assertEquals("1", first.queryForString("SELECT count(*) FROM agents"));

        first.stopServer();
        try {
          await()
              .atMost(Duration.ofSeconds(30))
              .ignoreExceptions()
              .until(
                  () ->
                      store
                              .upsert(List.of(status("after-failover")))
                              .toCompletableFuture()
                              .get(10, TimeUnit.SECONDS)
                              .written()
                          == 1);
          assertEquals("after-failover", second.queryForString("SELECT instance_uid FROM agents"));
        } finally {
          first.startServer();
        }
      }
    }
  }

  @Test
  void queriesGoToTheReadOnlyUrlWhenOneIsConfigured() throws Exception {
    try (TestDatabase primary = TestDatabase.start();
        TestDatabase replica = TestDatabase.start();
        Database onReplica = Database.small(replica.url());
        Database database = Database.open(endpoint(primary), endpoint(replica), settings())) {
      new AgentStatusStore(onReplica.pool())
          .upsert(List.of(status("only-on-the-replica")))
          .toCompletableFuture()
          .get(20, TimeUnit.SECONDS);

      assertEquals(
          true,
          new AgentRepository(database.readPool())
              .find("only-on-the-replica")
              .toCompletableFuture()
              .get()
              .isPresent());
      assertEquals(
          Optional.empty(),
          new AgentRepository(database.pool())
              .find("only-on-the-replica")
              .toCompletableFuture()
              .get());
    }
  }

  private static DatabaseEndpoint bothHosts(TestDatabase first, TestDatabase second) {
    return new DatabaseEndpoint(
        List.of(
            new DatabaseEndpoint.Host(first.host(), first.port()),
            new DatabaseEndpoint.Host(second.host(), second.port())),
        first.databaseName(),
        first.user(),
        first.password(),
        Map.of());
  }

  private static DatabaseEndpoint endpoint(TestDatabase db) {
    return DatabaseEndpoint.parse(db.url(), "", "");
  }

  /** A small pool that gives up quickly, so that a failover shows within the test's patience. */
  private DatabaseSettings settings() {
    return new DatabaseSettings("", "", "", "", 1, 4, Duration.ofMinutes(1), 0, dataDir);
  }

  private static AgentStatus status(String uid) {
    Instant now = Instant.now();
    return new AgentStatus(
        uid,
        1,
        ConnectionState.CONNECTED,
        now,
        1,
        "node-a",
        1,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        false,
        now,
        now);
  }
}
