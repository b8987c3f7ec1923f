package io.switchboard.persistence.operators;

import io.r2dbc.pool.ConnectionPool;
import io.switchboard.persistence.Sql;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Signed-in sessions, shared by every node (the cookie holds a random token, the table its
 * SHA-256), and single sign-on attempts waiting for the provider's answer.
 */
public final class SessionStore {

  /** What a single sign-on attempt left for its answer. */
  public record PendingSso(String codeVerifier, String nonce) {}

  private final Sql db;

  public SessionStore(ConnectionPool pool) {
    this.db = new Sql(pool);
  }

  public CompletionStage<Void> start(
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

  /** The live session of a token hash, with its operator's current role; none if disabled. */
  public CompletionStage<Optional<OperatorSession>> find(byte[] tokenHash) {
    return db.rows(
            """
            SELECT s.username, o.role, s.csrf_token FROM operator_sessions s JOIN operators o USING (username)
            WHERE s.token_hash = $1 AND s.expires_at > now() AND NOT o.disabled
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

  /** Signs one session out. */
  public CompletionStage<Void> end(byte[] tokenHash) {
    return db.rowsUpdated(
            "DELETE FROM operator_sessions WHERE token_hash = $1",
            statement -> statement.bind(0, ByteBuffer.wrap(tokenHash)))
        .then()
        .toFuture();
  }

  /** Signs every session of an operator out (audited); the number ended. */
  public CompletionStage<Long> endAll(String username, String actor) {
    return db.rows(
            """
            WITH ended AS (
              DELETE FROM operator_sessions WHERE username = $1 RETURNING username
            ), audited AS (
              INSERT INTO audit_events (actor, action, target, after)
              SELECT $2, 'operator.sessions.revoke', 'operator/' || $1,
                     jsonb_build_object('sessions', (SELECT count(*) FROM ended))
            )
            SELECT count(*) FROM ended
            """,
            statement -> statement.bind(0, username).bind(1, actor),
            row -> row.get(0, Long.class))
        .single()
        .toFuture();
  }

  public CompletionStage<Void> startSso(
      byte[] stateHash, String codeVerifier, String nonce, Duration lifetime) {
    return db.rowsUpdated(
            """
            INSERT INTO sso_logins (state_hash, code_verifier, nonce, expires_at)
            VALUES ($1, $2, $3, now() + make_interval(secs => $4))
            """,
            statement ->
                statement
                    .bind(0, ByteBuffer.wrap(stateHash))
                    .bind(1, codeVerifier)
                    .bind(2, nonce)
                    .bind(3, (double) lifetime.toSeconds()))
        .then()
        .toFuture();
  }

  /** Takes a pending sign-on by its state, once: a replayed answer finds nothing. */
  public CompletionStage<Optional<PendingSso>> takeSso(byte[] stateHash) {
    return db.rows(
            """
            DELETE FROM sso_logins WHERE state_hash = $1 AND expires_at > now()
            RETURNING code_verifier, nonce
            """,
            statement -> statement.bind(0, ByteBuffer.wrap(stateHash)),
            row -> new PendingSso(row.get(0, String.class), row.get(1, String.class)))
        .next()
        .map(Optional::of)
        .defaultIfEmpty(Optional.empty())
        .toFuture();
  }
}
