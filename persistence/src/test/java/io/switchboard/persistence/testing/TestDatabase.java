package io.switchboard.persistence.testing;

import io.switchboard.persistence.Database;
import io.switchboard.persistence.DatabaseEndpoint;
import io.switchboard.persistence.DatabaseSettings;
import io.switchboard.persistence.EmbeddedDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A real, migrated PostgreSQL for a test: an embedded server in a temporary directory (deleted on
 * {@link #close()}), its R2DBC {@link Database}, and plain JDBC for the test's own assertions. Other
 * modules' tests use it through this module's test-jar.
 */
public final class TestDatabase implements AutoCloseable {

  private final Path dataDir;
  private final int port;
  private EmbeddedDatabase server;
  private final Database database;

  private TestDatabase(Path dataDir, EmbeddedDatabase server) {
    this.dataDir = dataDir;
    this.server = server;
    this.port = server.endpoint().port();
    this.database = Database.open(server.endpoint(), settings(dataDir));
  }

  public static TestDatabase start() {
    try {
      Path dataDir = Files.createTempDirectory("switchboard-test-db");
      return new TestDatabase(dataDir, EmbeddedDatabase.start(dataDir.resolve("postgres"), 0));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Settings for a small pool that gives up quickly, so outage tests see failures fast. */
  public static DatabaseSettings settings(Path dataDir) {
    return new DatabaseSettings("", "", "", "", 1, 4, Duration.ofMinutes(1), 0, dataDir);
  }

  public Database database() {
    return database;
  }

  public DatabaseEndpoint endpoint() {
    return database.endpoint();
  }

  /** The URL a node is configured with to use this database ({@code switchboard.database.url}). */
  public String url() {
    DatabaseEndpoint endpoint = endpoint();
    return "postgresql://" + endpoint.user() + "@" + endpoint.host() + ":" + endpoint.port() + "/" + endpoint.database();
  }

  /** Stops the server, keeping its data: the database is gone until {@link #startServer()}. */
  public void stopServer() {
    server.close();
    server = null;
  }

  /** Starts the server again on the same port and data. */
  public void startServer() {
    server = EmbeddedDatabase.start(dataDir.resolve("postgres"), port);
  }

  /** Runs a query and returns the first column of the first row as text (null when no row). */
  public String queryForString(String sql, Object... parameters) {
    DatabaseEndpoint endpoint = endpoint();
    try (Connection connection = DriverManager.getConnection(endpoint.jdbcUrl(), endpoint.user(), endpoint.password());
        PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        statement.setObject(i + 1, parameters[i]);
      }
      try (ResultSet result = statement.executeQuery()) {
        return result.next() ? result.getString(1) : null;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("query failed: " + sql, e);
    }
  }

  /** Runs a statement (DDL, DELETE, ...). */
  public void execute(String sql) {
    DatabaseEndpoint endpoint = endpoint();
    try (Connection connection = DriverManager.getConnection(endpoint.jdbcUrl(), endpoint.user(), endpoint.password())) {
      connection.createStatement().execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("statement failed: " + sql, e);
    }
  }

  /** Closes the pool, stops the server and deletes its data (about 40 MB per database). */
  @Override
  public void close() {
    database.close();
    if (server != null) {
      server.close();
    }
    deleteQuietly(dataDir);
  }

  /** Best effort: a leftover temporary directory must not fail the test that used it. */
  private static void deleteQuietly(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // nothing to do: the directory is in the system's temporary space
    }
  }
}
