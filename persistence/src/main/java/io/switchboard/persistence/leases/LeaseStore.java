package io.switchboard.persistence.leases;

import io.r2dbc.pool.ConnectionPool;
import java.time.Duration;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The {@code leases} table: whoever holds a row, unexpired, holds the lease; the database's clock
 * decides expiry. Every change of owner grows the row's fencing token. Each call stands alone (no
 * session state), so it works through PgBouncer in transaction mode.
 */
public final class LeaseStore {

  private static final String ACQUIRE =
      """
      INSERT INTO leases AS held (name, owner, expires_at, fencing_token)
      VALUES ($1, $2, now() + make_interval(secs => $3), 1)
      ON CONFLICT (name) DO UPDATE SET
        owner = EXCLUDED.owner,
        expires_at = EXCLUDED.expires_at,
        fencing_token = held.fencing_token + CASE WHEN held.owner = EXCLUDED.owner THEN 0 ELSE 1 END,
        acquired_at = CASE WHEN held.owner = EXCLUDED.owner THEN held.acquired_at ELSE now() END
      WHERE held.owner = EXCLUDED.owner OR held.expires_at < now()
      RETURNING fencing_token
      """;
  private static final String RENEW =
      "UPDATE leases SET expires_at = now() + make_interval(secs => $3) WHERE name = $1 AND owner = $2"
          + " AND expires_at >= now() RETURNING fencing_token";

  /** Released leases stay as expired rows, so the fencing token keeps growing across owners. */
  private static final String RELEASE =
      "UPDATE leases SET expires_at = now() - interval '1 millisecond' WHERE name = $1 AND owner = $2";

  private static final String RELEASE_ALL_NAMED_LIKE =
      "UPDATE leases SET expires_at = now() - interval '1 millisecond'"
          + " WHERE owner = $1 AND name LIKE $2 AND expires_at >= now()";

  private final ConnectionPool pool;
  private final Duration timeout;

  /** {@code timeout} bounds every call, connection wait included. */
  public LeaseStore(ConnectionPool pool, Duration timeout) {
    this.pool = pool;
    this.timeout = timeout;
  }

  /**
   * Takes the lease if it is free, expired or already ours: its fencing token, or empty if held by
   * another.
   */
  public Mono<Long> acquire(String name, String owner, Duration ttl) {
    return token(ACQUIRE, name, owner, ttl);
  }

  /** Extends our unexpired lease: its fencing token, or empty if it is no longer ours. */
  public Mono<Long> renew(String name, String owner, Duration ttl) {
    return token(RENEW, name, owner, ttl);
  }

  /** Gives the lease up now; true if we held it. */
  public Mono<Boolean> release(String name, String owner) {
    return updated(RELEASE, name, owner).map(rows -> rows > 0);
  }

  /** Gives up every lease of {@code owner} whose name starts with {@code prefix}: how many. */
  public Mono<Long> releaseAll(String owner, String prefix) {
    return updated(
        RELEASE_ALL_NAMED_LIKE,
        owner,
        prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
  }

  private Mono<Long> token(String sql, String name, String owner, Duration ttl) {
    return Flux.usingWhen(
            pool.create(),
            connection ->
                Flux.from(
                        connection
                            .createStatement(sql)
                            .bind(0, name)
                            .bind(1, owner)
                            .bind(2, ttl.toMillis() / 1000.0)
                            .execute())
                    .flatMap(result -> result.map(row -> row.get(0, Long.class))),
            connection -> connection.close())
        .next()
        .timeout(timeout);
  }

  private Mono<Long> updated(String sql, String first, String second) {
    return Flux.usingWhen(
            pool.create(),
            connection ->
                Flux.from(connection.createStatement(sql).bind(0, first).bind(1, second).execute())
                    .flatMap(result -> result.getRowsUpdated()),
            connection -> connection.close())
        .reduce(0L, Long::sum)
        .timeout(timeout);
  }
}
