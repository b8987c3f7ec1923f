package io.switchboard.persistence;

import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.postgresql.MultiHostConnectionStrategy;
import io.r2dbc.postgresql.PostgresqlConnectionConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionFactory;
import io.r2dbc.postgresql.client.SSLMode;
import io.r2dbc.spi.ValidationDepth;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.flywaydb.core.Flyway;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The node's connection to PostgreSQL: the schema is migrated over JDBC (Flyway) when it opens, and
 * everything after that goes through non-blocking R2DBC pools: one for writes, and for list and
 * query traffic either the same one or, when a read-only URL (a replica) is configured, its own.
 */
public final class Database implements AutoCloseable {

  private static final Duration PING_TIMEOUT = Duration.ofMillis(800);

  private final DatabaseEndpoint endpoint;
  private final ConnectionPool pool;
  private final ConnectionPool readPool;

  private Database(DatabaseEndpoint endpoint, ConnectionPool pool, ConnectionPool readPool) {
    this.endpoint = endpoint;
    this.pool = pool;
    this.readPool = readPool;
  }

  /** Migrates the schema to the latest version, then opens the pool. */
  public static Database open(DatabaseEndpoint endpoint, DatabaseSettings settings) {
    migrate(endpoint);
    ConnectionPool pool = pool(endpoint, settings);
    return new Database(endpoint, pool, pool);
  }

  /**
   * Like {@link #open(DatabaseEndpoint, DatabaseSettings)}, with queries going to a read-only
   * replica.
   */
  public static Database open(
      DatabaseEndpoint endpoint, DatabaseEndpoint readEndpoint, DatabaseSettings settings) {
    migrate(endpoint);
    return new Database(endpoint, pool(endpoint, settings), pool(readEndpoint, settings));
  }

  /**
   * A database at {@code url} ({@code postgresql://user@host:port/database}, as {@link
   * DatabaseEndpoint#parse} reads it), migrated like {@link #open}, with a small pool (1 to 4
   * connections, idle ones closed after a minute) that gives up quickly: for tools and tests, which
   * have no node settings to take a pool's size from.
   */
  public static Database small(String url) {
    return open(
        DatabaseEndpoint.parse(url, "", ""),
        new DatabaseSettings(url, "", "", "", 1, 4, Duration.ofMinutes(1), 0, Path.of(".")));
  }

  /** Applies the Flyway migrations under {@code db/migration}. */
  public static void migrate(DatabaseEndpoint endpoint) {
    Flyway.configure()
        .dataSource(endpoint.jdbcUrl(), endpoint.user(), endpoint.password())
        .locations("classpath:db/migration")
        .load()
        .migrate();
  }

  /** The pool for writes (and reads that must see them). */
  public ConnectionPool pool() {
    return pool;
  }

  /** The pool for list and query traffic: the replica's when one is configured. */
  public ConnectionPool readPool() {
    return readPool;
  }

  public DatabaseEndpoint endpoint() {
    return endpoint;
  }

  /** True when the database answers {@code SELECT 1} promptly; never completes exceptionally. */
  public CompletionStage<Boolean> ping() {
    return Mono.usingWhen(
            pool.create(),
            connection ->
                Flux.from(connection.createStatement("SELECT 1").execute())
                    .flatMap(result -> result.map(row -> row.get(0)))
                    .then(Mono.just(true)),
            connection -> connection.close())
        .timeout(PING_TIMEOUT)
        .onErrorReturn(false)
        .toFuture();
  }

  /** A pool's connections: taken, idle, and callers waiting for one. */
  public record PoolStats(int acquired, int idle, int pending) {}

  /** The write pool's connections now, if the pool reports them. */
  public Optional<PoolStats> poolStats() {
    return stats(pool);
  }

  /** The read pool's connections now, when it is a pool of its own (a replica). */
  public Optional<PoolStats> readPoolStats() {
    return readPool == pool ? Optional.empty() : stats(readPool);
  }

  private static Optional<PoolStats> stats(ConnectionPool pool) {
    return pool.getMetrics()
        .map(
            metrics ->
                new PoolStats(
                    metrics.acquiredSize(), metrics.idleSize(), metrics.pendingAcquireSize()));
  }

  @Override
  public void close() {
    pool.dispose();
    readPool.dispose();
  }

  private static ConnectionPool pool(DatabaseEndpoint endpoint, DatabaseSettings settings) {
    PostgresqlConnectionConfiguration.Builder connection =
        PostgresqlConnectionConfiguration.builder();
    if (endpoint.hosts().size() == 1) {
      connection.host(endpoint.host()).port(endpoint.port());
    } else {
      endpoint.hosts().forEach(host -> connection.addHost(host.name(), host.port()));
      connection.targetServerType(
          MultiHostConnectionStrategy.TargetServerType.fromValue(endpoint.targetServerType()));
    }
    connection
        .database(endpoint.database())
        .username(endpoint.user())
        .password(endpoint.password())
        .applicationName("switchboard")
        // No server-side prepared statements kept across transactions, so that a pooler in
        // transaction mode (PgBouncer) can sit in between.
        .preparedStatementCacheQueries(0);
    String sslMode = endpoint.options().get("sslmode");
    if (sslMode != null) {
      connection.sslMode(SSLMode.fromValue(sslMode));
    }
    return new ConnectionPool(
        ConnectionPoolConfiguration.builder(new PostgresqlConnectionFactory(connection.build()))
            .name("switchboard")
            .initialSize(settings.poolInitial())
            .maxSize(settings.poolMax())
            .maxIdleTime(settings.poolMaxIdle())
            .maxAcquireTime(Duration.ofSeconds(5))
            .maxCreateConnectionTime(Duration.ofSeconds(5))
            // Checked locally (is the socket still open?) as each is taken: a validation query
            // would cost a round trip per statement. A connection that dies while idle is closed
            // by the driver, and fails this check; one that dies in use fails its statement.
            .validationDepth(ValidationDepth.LOCAL)
            .build());
  }
}
