package io.switchboard.persistence.operators;

import io.r2dbc.pool.ConnectionPool;
import io.switchboard.persistence.Sql;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/** API tokens: stored by their SHA-256 only, each acting as its owner within its own role. */
public final class TokenStore {

  /** A token as listed: never the token itself. */
  public record Token(
      UUID id,
      String name,
      String owner,
      Role role,
      Instant createdAt,
      Instant expiresAt,
      Instant lastUsedAt) {}

  /**
   * A presented token that is live: its role is the lower of its own and its owner's current one.
   */
  public record Bearer(UUID id, String name, String owner, Role role, Instant lastUsedAt) {}

  private final Sql db;

  public TokenStore(ConnectionPool pool) {
    this.db = new Sql(pool);
  }

  /** Stores a new token (audited, without its secret). */
  public CompletionStage<Token> create(
      UUID id, String name, String owner, Role role, byte[] tokenHash, Duration lifetime) {
    return db.rows(
            """
            WITH created AS (
              INSERT INTO api_tokens (id, name, owner, role, token_hash, expires_at)
              VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6))
              RETURNING id, name, owner, role, created_at, expires_at, last_used_at
            ), audited AS (
              INSERT INTO audit_events (actor, action, target, after)
              SELECT $3, 'token.create', 'token/' || id,
                     jsonb_build_object('name', name, 'owner', owner, 'role', role, 'expires_at', expires_at)
              FROM created
            )
            SELECT id, name, owner, role, created_at, expires_at, last_used_at FROM created
            """,
            statement ->
                statement
                    .bind(0, id)
                    .bind(1, name)
                    .bind(2, owner)
                    .bind(3, role.name())
                    .bind(4, ByteBuffer.wrap(tokenHash))
                    .bind(5, (double) lifetime.toSeconds()),
            TokenStore::token)
        .single()
        .toFuture();
  }

  /** Every token, or one owner's. */
  public CompletionStage<List<Token>> list(Optional<String> owner) {
    return db.rows(
            """
            SELECT id, name, owner, role, created_at, expires_at, last_used_at FROM api_tokens
            WHERE $1::text IS NULL OR owner = $1 ORDER BY created_at
            """,
            statement -> Sql.bindNullable(statement, 0, owner.orElse(null), String.class),
            TokenStore::token)
        .collectList()
        .toFuture();
  }

  /**
   * Revokes (deletes) a token, audited; {@code owner} limits it to that owner's tokens. False when
   * there is no such token.
   */
  public CompletionStage<Boolean> revoke(UUID id, Optional<String> owner, String actor) {
    return db.rows(
            """
            WITH removed AS (
              DELETE FROM api_tokens WHERE id = $1 AND ($2::text IS NULL OR owner = $2)
              RETURNING id, name, owner
            ), audited AS (
              INSERT INTO audit_events (actor, action, target, before)
              SELECT $3, 'token.revoke', 'token/' || id, jsonb_build_object('name', name, 'owner', owner)
              FROM removed
            )
            SELECT id FROM removed
            """,
            statement -> {
              statement.bind(0, id);
              Sql.bindNullable(statement, 1, owner.orElse(null), String.class);
              statement.bind(2, actor);
            },
            row -> row.get(0, UUID.class))
        .hasElements()
        .toFuture();
  }

  /** The live token of a hash: not expired, its owner not disabled. */
  public CompletionStage<Optional<Bearer>> find(byte[] tokenHash) {
    return db.rows(
            """
            SELECT t.id, t.name, t.owner, t.role, o.role, t.last_used_at
            FROM api_tokens t JOIN operators o ON o.username = t.owner
            WHERE t.token_hash = $1 AND t.expires_at > now() AND NOT o.disabled
            """,
            statement -> statement.bind(0, ByteBuffer.wrap(tokenHash)),
            row -> {
              Role own = Role.valueOf(row.get(3, String.class));
              Role owners = Role.valueOf(row.get(4, String.class));
              return new Bearer(
                  row.get(0, UUID.class),
                  row.get(1, String.class),
                  row.get(2, String.class),
                  owners.allows(own) ? own : owners,
                  Sql.instant(row, 5));
            })
        .next()
        .map(Optional::of)
        .defaultIfEmpty(Optional.empty())
        .toFuture();
  }

  /** Notes a use; callers call it at most about once a minute per token, not per request. */
  public CompletionStage<Void> used(UUID id) {
    return db.rowsUpdated(
            "UPDATE api_tokens SET last_used_at = now() WHERE id = $1",
            statement -> statement.bind(0, id))
        .then()
        .toFuture();
  }

  private static Token token(io.r2dbc.spi.Readable row) {
    return new Token(
        row.get(0, UUID.class),
        row.get(1, String.class),
        row.get(2, String.class),
        Role.valueOf(row.get(3, String.class)),
        Sql.instant(row, 4),
        Sql.instant(row, 5),
        Sql.instant(row, 6));
  }
}
