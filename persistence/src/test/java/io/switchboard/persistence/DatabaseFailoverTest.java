package io.switchboard.persistence;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.persistence.agents.AgentRepository;
import io.switchboard.persistence.status.AgentStatus;
import io.switchboard.persistence.status.AgentStatusStore;
import io.switchboard.persistence.status.ConnectionState;
import io.switchboard.persistence.testing.TestDatabase;
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
        TestDatabase second = TestDatabase.start();
        Database database = Database.open(bothHosts(first, second), settings())) {
      AgentStatusStore store = new AgentStatusStore(database.pool());
      store.upsert(List.of(status("before-failover"))).toCompletableFuture().get(20, TimeUnit.SECONDS);
      assertEquals("1", first.queryForString("SELECT count(*) FROM agents"));

      first.stopServer();
      try {
        await().atMost(Duration.ofSeconds(30))
            .ignoreExceptions()
            .until(() -> store.upsert(List.of(status("after-failover"))).toCompletableFuture().get(10, TimeUnit.SECONDS).written() == 1);
        assertEquals("after-failover", second.queryForString("SELECT instance_uid FROM agents"));
      } finally {
        first.startServer();
      }
    }
  }

  @Test
  void queriesGoToTheReadOnlyUrlWhenOneIsConfigured() throws Exception {
    try (TestDatabase primary = TestDatabase.start();
        TestDatabase replica = TestDatabase.start();
        Database database = Database.open(primary.endpoint(), replica.endpoint(), settings())) {
      new AgentStatusStore(replica.database().pool())
          .upsert(List.of(status("only-on-the-replica")))
          .toCompletableFuture()
          .get(20, TimeUnit.SECONDS);

      assertEquals(
          true,
          new AgentRepository(database.readPool()).find("only-on-the-replica").toCompletableFuture().get().isPresent());
      assertEquals(
          Optional.empty(), new AgentRepository(database.pool()).find("only-on-the-replica").toCompletableFuture().get());
    }
  }

  private static DatabaseEndpoint bothHosts(TestDatabase first, TestDatabase second) {
    DatabaseEndpoint a = first.endpoint();
    return new DatabaseEndpoint(
        List.of(new DatabaseEndpoint.Host(a.host(), a.port()), new DatabaseEndpoint.Host("localhost", second.endpoint().port())),
        a.database(),
        a.user(),
        a.password(),
        Map.of());
  }

  private DatabaseSettings settings() {
    return TestDatabase.settings(dataDir);
  }

  private static AgentStatus status(String uid) {
    Instant now = Instant.now();
    return new AgentStatus(
        uid, 1, ConnectionState.CONNECTED, now, 1, "node-a", 1, null, null, null, null, null, null, null, null, false, now, now);
  }
}
