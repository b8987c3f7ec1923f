package io.switchboard.persistence.operators;

import io.r2dbc.pool.ConnectionPool;
import io.switchboard.persistence.Sql;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** Operator accounts and their sessions. Hashing is the caller's (see the API's Passwords). */
public final class OperatorStore {

  /** An account as listed (never with its password hash). */
  public record Account(String username, Role role) {}

  /** What a login is checked against. */
  public record Credentials(String passwordHash, Role role) {}

  private final Sql db;

  public OperatorStore(ConnectionPool pool) {
    this.db = new Sql(pool);
  }

  /** False when the username is taken. */
  public CompletionStage<Boolean> create(
      String username, String passwordHash, Role role, String actor) {
    return db.rows(
            """
            WITH created AS (
              INSERT INTO operators (username, password_hash, role) VALUES ($1, $2, $3)
              ON CONFLICT (username) DO NOTHING RETURNING username, role
            ), audited AS (
              INSERT INTO audit_events (actor, action, target, after)
              SELECT $4, 'operator.create', 'operator/' || username, jsonb_build_object('role', role) FROM created
            )
            SELECT username FROM created
            """,
            statement ->
                statement
                    .bind(0, username)
                    .bind(1, passwordHash)
                    .bind(2, role.name())
                    .bind(3, actor),
            row -> row.get(0, String.class))
        .hasElements()
        .toFuture();
  }

  public CompletionStage<Boolean> isEmpty() {
    return db.rows(
            "SELECT NOT EXISTS (SELECT 1 FROM operators)",
            statement -> {},
            row -> row.get(0, Boolean.class))
        .single()
        .toFuture();
  }

  public CompletionStage<List<Account>> list() {
    return db.rows(
            "SELECT username, role FROM operators ORDER BY username",
            statement -> {},
            row -> new Account(row.get(0, String.class), Role.valueOf(row.get(1, String.class))))
        .collectList()
        .toFuture();
  }

  /** The stored password hash and role of a username, to check a login against. */
  public CompletionStage<Optional<Credentials>> credentials(String username) {
    return db.rows(
            "SELECT password_hash, role FROM operators WHERE username = $1",
            statement -> statement.bind(0, username),
            row ->
                new Credentials(row.get(0, String.class), Role.valueOf(row.get(1, String.class))))
        .next()
        .map(Optional::of)
        .defaultIfEmpty(Optional.empty())
        .toFuture();
  }

  public CompletionStage<Void> startSession(
      byte[] tokenHash, String username, String csrfToken, Duration lifetime) {
    return db.rowsUpdated(
            """
            INSERT INTO operator_sessions (token_hash, username, csrf_token, expires_at)
            VALUES ($1, $2, $3, now() + make_interval(secs => $4))
            """,
            statement ->
                statement
                    .bind(0, ByteBuffer.wrap(tokenHash))
                    .bind(1, username)
                    .bind(2, csrfToken)
                    .bind(3, (double) lifetime.toSeconds()))
        .then()
        .toFuture();
  }

  /** The live session of a token hash, with its operator's current role. */
  public CompletionStage<Optional<OperatorSession>> session(byte[] tokenHash) {
    return db.rows(
            """
            SELECT s.username, o.role, s.csrf_token FROM operator_sessions s JOIN operators o USING (username)
            WHERE s.token_hash = $1 AND s.expires_at > now()
            """,
            statement -> statement.bind(0, ByteBuffer.wrap(tokenHash)),
            row ->
                new OperatorSession(
                    row.get(0, String.class),
                    Role.valueOf(row.get(1, String.class)),
                    row.get(2, String.class)))
        .next()
        .map(Optional::of)
        .defaultIfEmpty(Optional.empty())
        .toFuture();
  }

  /** Signs a session out, and clears every expired one while at it. */
  public CompletionStage<Void> endSession(byte[] tokenHash) {
    return db.rowsUpdated(
            "DELETE FROM operator_sessions WHERE token_hash = $1 OR expires_at < now()",
            statement -> statement.bind(0, ByteBuffer.wrap(tokenHash)))
        .then()
        .toFuture();
  }
}
