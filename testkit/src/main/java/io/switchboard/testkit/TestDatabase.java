package io.switchboard.testkit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A real PostgreSQL for a test: an embedded server (the same binaries a node embeds) on a free
 * port, with its data in a temporary directory deleted on {@link #close()}, and plain JDBC for the
 * test's own statements and assertions.
 *
 * <p>It does not migrate: the code under test does, when it opens its database ({@code
 * Database.open} runs Flyway, and so does a node starting on {@link #url()}). A test that needs the
 * schema before anything else opens its database first, e.g. {@code Database.small(db.url())}.
 */
public final class TestDatabase implements AutoCloseable {

  private static final String USER = "postgres";
  private static final String DATABASE = "postgres";

  private final Path dataDir;
  private final int port;
  private EmbeddedPostgres server;

  private TestDatabase(Path dataDir, EmbeddedPostgres server) {
    this.dataDir = dataDir;
    this.server = server;
    this.port = server.getPort();
  }

  /** Starts an empty PostgreSQL on a free port. */
  public static TestDatabase start() {
    Path dataDir;
    try {
      dataDir = Files.createTempDirectory("switchboard-test-db");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new TestDatabase(dataDir, startServer(dataDir, 0));
  }

  /** The URL a node is configured with to use this database ({@code switchboard.database.url}). */
  public String url() {
    return "postgresql://" + USER + "@" + host() + ":" + port + "/" + DATABASE;
  }

  /** The JDBC URL; credentials are {@link #user()} and {@link #password()}. */
  public String jdbcUrl() {
    return "jdbc:postgresql://" + host() + ":" + port + "/" + DATABASE;
  }

  public String host() {
    return "localhost";
  }

  public int port() {
    return port;
  }

  public String user() {
    return USER;
  }

  /** Empty: the embedded server trusts local connections. */
  public String password() {
    return "";
  }

  public String databaseName() {
    return DATABASE;
  }

  /** Stops the server, keeping its data: the database is gone until {@link #startServer()}. */
  public void stopServer() {
    closeServer();
    server = null;
  }

  /** Starts the server again on the same port and data. */
  public void startServer() {
    server = startServer(dataDir, port);
  }

  /** Runs a query and returns the first column of the first row as text (null when no row). */
  public String queryForString(String sql, Object... parameters) {
    try (Connection connection = connect();
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
    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("statement failed: " + sql, e);
    }
  }

  /**
   * A new JDBC connection, for a test that runs several statements itself; the caller closes it.
   */
  public Connection connect() throws SQLException {
    return DriverManager.getConnection(jdbcUrl(), user(), password());
  }

  /** Stops the server and deletes its data (about 40 MB per database). */
  @Override
  public void close() {
    if (server != null) {
      closeServer();
      server = null;
    }
    deleteQuietly(dataDir);
  }

  /**
   * As the node's embedded database starts: data kept in {@code dataDir}, found again on a restart.
   */
  private static EmbeddedPostgres startServer(Path dataDir, int port) {
    Path data = dataDir.resolve("postgres");
    try {
      Files.createDirectories(data);
      EmbeddedPostgres.Builder builder =
          EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false);
      if (port != 0) {
        builder.setPort(port);
      }
      return builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("embedded PostgreSQL did not start in " + data, e);
    }
  }

  private void closeServer() {
    try {
      server.close();
    } catch (IOException e) {
      throw new UncheckedIOException("embedded PostgreSQL did not stop cleanly", e);
    }
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
