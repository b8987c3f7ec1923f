package io.switchboard.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.testkit.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedDatabaseTest {

  @Test
  void aRestartedDatabaseRuntimeKeepsItsDataAndSchema(@TempDir Path dataDir) throws Exception {
    DatabaseSettings settings =
        new DatabaseSettings("", "", "", "", 1, 4, Duration.ofMinutes(1), 0, dataDir);

    try (DatabaseRuntime first = DatabaseRuntime.start(settings)) {
      assertEquals(true, first.database().ping().toCompletableFuture().get());
      jdbc(first, "CREATE TABLE survivors (name text)");
      jdbc(first, "INSERT INTO survivors VALUES ('still here')");
    }

    try (DatabaseRuntime second = DatabaseRuntime.start(settings)) {
      assertEquals("still here", jdbcQuery(second, "SELECT name FROM survivors"));
      assertEquals("agents", jdbcQuery(second, "SELECT to_regclass('agents')::text"));
    }
  }

  @Test
  void pingIsFalseWhenTheDatabaseIsGone() throws Exception {
    try (TestDatabase db = TestDatabase.start();
        Database database = Database.small(db.url())) {
      assertEquals(true, database.ping().toCompletableFuture().get());
      db.stopServer();
      assertEquals(false, database.ping().toCompletableFuture().get());
      db.startServer();
    }
  }

  private static void jdbc(DatabaseRuntime runtime, String sql) throws Exception {
    DatabaseEndpoint endpoint = runtime.database().endpoint();
    try (var connection =
        java.sql.DriverManager.getConnection(
            endpoint.jdbcUrl(), endpoint.user(), endpoint.password())) {
      connection.createStatement().execute(sql);
    }
  }

  private static String jdbcQuery(DatabaseRuntime runtime, String sql) throws Exception {
    DatabaseEndpoint endpoint = runtime.database().endpoint();
    try (var connection =
            java.sql.DriverManager.getConnection(
                endpoint.jdbcUrl(), endpoint.user(), endpoint.password());
        var result = connection.createStatement().executeQuery(sql)) {
      result.next();
      return result.getString(1);
    }
  }
}
