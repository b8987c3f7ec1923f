package io.switchboard.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.testkit.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
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
  void theNodeConnectsAsANonSuperuserAndEveryConnectionNeedsAPassword(@TempDir Path dataDir)
      throws Exception {
    Path data = dataDir.resolve("postgres");
    try (EmbeddedDatabase database = EmbeddedDatabase.start(data, 0)) {
      DatabaseEndpoint endpoint = database.endpoint();
      Path passwords = EmbeddedDatabase.passwordsFile(data);
      assertEquals(
          "rw-------",
          java.nio.file.attribute.PosixFilePermissions.toString(
              java.nio.file.Files.getPosixFilePermissions(passwords)));
      try (var connection =
              java.sql.DriverManager.getConnection(
                  endpoint.jdbcUrl(), endpoint.user(), endpoint.password());
          var result =
              connection
                  .createStatement()
                  .executeQuery("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")) {
        result.next();
        assertEquals(false, result.getBoolean(1), "the node's role is no superuser");
      }
      for (String user : java.util.List.of("postgres", endpoint.user())) {
        java.sql.SQLException refused =
            org.junit.jupiter.api.Assertions.assertThrows(
                java.sql.SQLException.class,
                () -> java.sql.DriverManager.getConnection(endpoint.jdbcUrl(), user, "guess"));
        org.junit.jupiter.api.Assertions.assertTrue(
            refused.getMessage().contains("password authentication failed"), refused.getMessage());
      }
    }
  }

  @Test
  void aDataDirectoryFromBeforePasswordsIsHandedToTheNodesRole(@TempDir Path dataDir)
      throws Exception {
    Path data = dataDir.resolve("postgres");
    // As earlier versions left it: trusted local connections, tables owned by the superuser.
    try (var old =
        io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
            .setDataDirectory(data)
            .setCleanDataDirectory(false)
            .start()) {
      Database.migrate(
          DatabaseEndpoint.of("localhost", old.getPort(), "postgres", "postgres", "", Map.of()));
      try (var connection = old.getPostgresDatabase().getConnection()) {
        connection.createStatement().execute("CREATE TABLE older (id bigserial, name text)");
        connection.createStatement().execute("INSERT INTO older (name) VALUES ('kept')");
      }
    }
    DatabaseSettings settings =
        new DatabaseSettings("", "", "", "", 1, 4, Duration.ofMinutes(1), 0, dataDir);
    try (DatabaseRuntime runtime = DatabaseRuntime.start(settings)) {
      jdbc(runtime, "INSERT INTO older (name) VALUES ('written by the node')");
      jdbc(runtime, "ALTER TABLE older ADD COLUMN later text");
      assertEquals("2", jdbcQuery(runtime, "SELECT count(*) FROM older"));
      jdbc(runtime, "INSERT INTO operators (username, role) VALUES ('converted', 'VIEWER')");
      assertEquals("agents", jdbcQuery(runtime, "SELECT to_regclass('agents')::text"));
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
