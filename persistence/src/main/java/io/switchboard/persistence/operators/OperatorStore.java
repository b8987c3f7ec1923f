package io.switchboard.persistence.operators;

import io.r2dbc.pool.ConnectionPool;
import io.switchboard.persistence.Sql;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Operator accounts. Hashing is the caller's (see the API's Passwords). Every change writes its
 * audit event in the same statement, so no change goes unaudited.
 */
public final class OperatorStore {

  /** An account as listed (never with its password hash). */
  public record Account(String username, Role role, boolean disabled, String source) {}

  /** What a login is checked against; an SSO account has no password hash. */
  public record Credentials(Optional<String> passwordHash, Role role, boolean disabled) {}

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

  /**
   * Makes the first admin unless a first admin was ever made in this database: of nodes starting
   * together, exactly one gets true.
   */
  public CompletionStage<Boolean> createFirstAdmin(String username, String passwordHash) {
    return db.rows(
            """
            WITH won AS (
              INSERT INTO first_admin (username) VALUES ($1)
              ON CONFLICT (only_row) DO NOTHING RETURNING username
            ), created AS (
              INSERT INTO operators (username, password_hash, role)
              SELECT username, $2, 'ADMIN' FROM won
              ON CONFLICT (username) DO UPDATE SET role = 'ADMIN', password_hash = EXCLUDED.password_hash
              RETURNING username
            ), audited AS (
              INSERT INTO audit_events (actor, action, target, after)
              SELECT 'switchboard', 'operator.create', 'operator/' || username,
                     jsonb_build_object('role', 'ADMIN', 'first_admin', true) FROM created
            )
            SELECT username FROM created
            """,
            statement -> statement.bind(0, username).bind(1, passwordHash),
            row -> row.get(0, String.class))
        .hasElements()
        .toFuture();
  }

  /** Sets a password (a reset or the operator's own change); false for an unknown username. */
  public CompletionStage<Boolean> setPassword(String username, String passwordHash, String actor) {
    return db.rows(
            """
            WITH changed AS (
              UPDATE operators SET password_hash = $2 WHERE username = $1 AND source = 'local'
              RETURNING username
            ), audited AS (
              INSERT INTO audit_events (actor, action, target)
              SELECT $3, 'operator.password', 'operator/' || username FROM changed
            )
            SELECT username FROM changed
            """,
            statement -> statement.bind(0, username).bind(1, passwordHash).bind(2, actor),
            row -> row.get(0, String.class))
        .hasElements()
        .toFuture();
  }

  /** A stronger hash of the same password at sign-in: not an operator's action, not audited. */
  public CompletionStage<Void> rehash(String username, String oldHash, String newHash) {
    return db.rowsUpdated(
            "UPDATE operators SET password_hash = $3 WHERE username = $1 AND password_hash = $2",
            statement -> statement.bind(0, username).bind(1, oldHash).bind(2, newHash))
        .then()
        .toFuture();
  }

  /**
   * Changes an account's role and/or whether it is disabled; disabling ends its sessions. Empty for
   * an unknown username, else the account as it now is.
   */
  public CompletionStage<Optional<Account>> update(
      String username, Optional<Role> role, Optional<Boolean> disabled, String actor) {
    return db.rows(
            """
            WITH before AS (
              SELECT username, role, disabled FROM operators WHERE username = $1 FOR UPDATE
            ), changed AS (
              UPDATE operators o SET role = coalesce($2, o.role), disabled = coalesce($3, o.disabled)
              FROM before b WHERE o.username = b.username
              RETURNING o.username, o.role, o.disabled, o.source
            ), ended AS (
              DELETE FROM operator_sessions WHERE username IN (SELECT username FROM changed WHERE disabled)
            ), audited AS (
              INSERT INTO audit_events (actor, action, target, before, after)
              SELECT $4, 'operator.update', 'operator/' || c.username,
                     jsonb_build_object('role', b.role, 'disabled', b.disabled),
                     jsonb_build_object('role', c.role, 'disabled', c.disabled)
              FROM changed c JOIN before b USING (username)
            )
            SELECT username, role, disabled, source FROM changed
            """,
            statement -> {
              statement.bind(0, username);
              Sql.bindNullable(statement, 1, role.map(Role::name).orElse(null), String.class);
              Sql.bindNullable(statement, 2, disabled.orElse(null), Boolean.class);
              statement.bind(3, actor);
            },
            OperatorStore::account)
        .next()
        .map(Optional::of)
        .defaultIfEmpty(Optional.empty())
        .toFuture();
  }

  /** Deletes an account with its sessions and tokens; false for an unknown username. */
  public CompletionStage<Boolean> delete(String username, String actor) {
    return db.rows(
            """
            WITH removed AS (
              DELETE FROM operators WHERE username = $1 RETURNING username, role
            ), audited AS (
              INSERT INTO audit_events (actor, action, target, before)
              SELECT $2, 'operator.delete', 'operator/' || username, jsonb_build_object('role', role)
              FROM removed
            )
            SELECT username FROM removed
            """,
            statement -> statement.bind(0, username).bind(1, actor),
            row -> row.get(0, String.class))
        .hasElements()
        .toFuture();
  }

  /**
   * The account a single sign-on maps to, made or brought to the role the provider's claims give
   * now; an admin's disabling stays. Empty when the name belongs to a local account.
   */
  public CompletionStage<Optional<Account>> signedOnBySso(String username, Role role) {
    return db.rows(
            """
            WITH upserted AS (
              INSERT INTO operators (username, password_hash, role, source) VALUES ($1, NULL, $2, 'oidc')
              ON CONFLICT (username) DO UPDATE SET role = EXCLUDED.role WHERE operators.source = 'oidc'
              RETURNING username, role, disabled, source
            )
            SELECT username, role, disabled, source FROM upserted
            """,
            statement -> statement.bind(0, username).bind(1, role.name()),
            OperatorStore::account)
        .next()
        .map(Optional::of)
        .defaultIfEmpty(Optional.empty())
        .toFuture();
  }

  public CompletionStage<List<Account>> list() {
    return db.rows(
            "SELECT username, role, disabled, source FROM operators ORDER BY username",
            statement -> {},
            OperatorStore::account)
        .collectList()
        .toFuture();
  }

  /** The stored password hash, role and state of a username, to check a login against. */
  public CompletionStage<Optional<Credentials>> credentials(String username) {
    return db.rows(
            "SELECT password_hash, role, disabled FROM operators WHERE username = $1",
            statement -> statement.bind(0, username),
            row ->
                new Credentials(
                    Optional.ofNullable(row.get(0, String.class)),
                    Role.valueOf(row.get(1, String.class)),
                    Boolean.TRUE.equals(row.get(2, Boolean.class))))
        .next()
        .map(Optional::of)
        .defaultIfEmpty(Optional.empty())
        .toFuture();
  }

  private static Account account(io.r2dbc.spi.Readable row) {
    return new Account(
        row.get(0, String.class),
        Role.valueOf(row.get(1, String.class)),
        Boolean.TRUE.equals(row.get(2, Boolean.class)),
        row.get(3, String.class));
  }
}
