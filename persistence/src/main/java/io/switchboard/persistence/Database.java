package io.switchboard.persistence;

import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionFactory;
import io.r2dbc.postgresql.client.SSLMode;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.flywaydb.core.Flyway;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The node's connection to PostgreSQL: the schema is migrated over JDBC (Flyway) when it opens,
 * and everything after that goes through a non-blocking R2DBC pool.
 */
public final class Database implements AutoCloseable {

  private static final Duration PING_TIMEOUT = Duration.ofMillis(800);

  private final DatabaseEndpoint endpoint;
  private final ConnectionPool pool;

  private Database(DatabaseEndpoint endpoint, ConnectionPool pool) {
    this.endpoint = endpoint;
    this.pool = pool;
  }

  /** Migrates the schema to the latest version, then opens the pool. */
  public static Database open(DatabaseEndpoint endpoint, DatabaseSettings settings) {
    migrate(endpoint);
    return new Database(endpoint, pool(endpoint, settings));
  }

  /** Applies the Flyway migrations under {@code db/migration}. */
  public static void migrate(DatabaseEndpoint endpoint) {
    Flyway.configure()
        .dataSource(endpoint.jdbcUrl(), endpoint.user(), endpoint.password())
        .locations("classpath:db/migration")
        .load()
        .migrate();
  }

  public ConnectionPool pool() {
    return pool;
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

  @Override
  public void close() {
    pool.dispose();
  }

  private static ConnectionPool pool(DatabaseEndpoint endpoint, DatabaseSettings settings) {
    PostgresqlConnectionConfiguration.Builder connection =
        PostgresqlConnectionConfiguration.builder()
            .host(endpoint.host())
            .port(endpoint.port())
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
            .validationQuery("SELECT 1")
            .build());
  }
}
