package io.switchboard.persistence;

import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Moves a node's data from one PostgreSQL to another (the embedded one to an external one): the
 * target gets the same schema (Flyway), then every table is streamed across with binary COPY, the
 * fastest way PostgreSQL has to move rows. The target must not hold agents yet, so nothing is
 * merged or overwritten by mistake.
 */
public final class DatabaseCopy {

  /** The tables holding a node's data, parents before children; everything else is derived. */
  static final List<String> TABLES =
      List.of(
          "agents",
          "agent_status_history",
          "configurations",
          "configuration_versions",
          "dispatch_envelopes",
          "rollouts",
          "rollout_targets",
          "audit_events");

  private DatabaseCopy() {}

  /** Copies every table; returns the rows copied per table. */
  public static Map<String, Long> copy(DatabaseEndpoint from, DatabaseEndpoint to) {
    Database.migrate(to);
    try (Connection source = connect(from);
        Connection target = connect(to)) {
      try (ResultSet existing =
          target.createStatement().executeQuery("SELECT count(*) FROM agents")) {
        existing.next();
        if (existing.getLong(1) > 0) {
          throw new IllegalStateException(
              "the target database already holds "
                  + existing.getLong(1)
                  + " agents; copy into an empty one");
        }
      }
      target.setAutoCommit(false);
      Map<String, Long> copied = new LinkedHashMap<>();
      for (String table : TABLES) {
        copied.put(table, copyTable(source, target, table));
      }
      // COPY writes the audit events' ids as they were; new events must number on after them.
      target
          .createStatement()
          .execute(
              "SELECT setval(pg_get_serial_sequence('audit_events', 'id'), coalesce(max(id), 0) + 1, false) FROM audit_events");
      target.commit();
      return copied;
    } catch (SQLException e) {
      throw new IllegalStateException("copying the database failed: " + e.getMessage(), e);
    }
  }

  private static long copyTable(Connection source, Connection target, String table)
      throws SQLException {
    CopyManager out = source.unwrap(PGConnection.class).getCopyAPI();
    CopyManager in = target.unwrap(PGConnection.class).getCopyAPI();
    try (PipedInputStream reader = new PipedInputStream(1 << 16);
        PipedOutputStream writer = new PipedOutputStream(reader)) {
      CompletableFuture<Long> sending =
          CompletableFuture.supplyAsync(
              () -> {
                try (writer) {
                  return out.copyOut(
                      "COPY (SELECT * FROM " + table + ") TO STDOUT (FORMAT binary)", writer);
                } catch (SQLException | IOException e) {
                  throw new IllegalStateException("reading " + table + " failed", e);
                }
              });
      long received = in.copyIn("COPY " + table + " FROM STDIN (FORMAT binary)", reader);
      sending.join();
      return received;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Connection connect(DatabaseEndpoint endpoint) throws SQLException {
    return DriverManager.getConnection(endpoint.jdbcUrl(), endpoint.user(), endpoint.password());
  }
}
