package io.switchboard.persistence;

import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.Readable;
import io.r2dbc.spi.Statement;
import io.switchboard.observability.SwitchboardMetrics;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.function.Consumer;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One statement on a pooled connection, for the stores: rows mapped, or the count of rows changed.
 * Each call takes a connection and gives it back, so nothing relies on session state.
 */
public final class Sql {

  private final ConnectionPool pool;

  public Sql(ConnectionPool pool) {
    this.pool = pool;
  }

  public <T> Flux<T> rows(String sql, Consumer<Statement> binder, Function<Readable, T> mapper) {
    return Flux.defer(
        () -> {
          long started = System.nanoTime();
          return Flux.usingWhen(
                  pool.create(),
                  connection -> {
                    Statement statement = connection.createStatement(sql);
                    binder.accept(statement);
                    return Flux.from(statement.execute())
                        .flatMap(result -> result.map(mapper::apply));
                  },
                  connection -> connection.close())
              .doFinally(signal -> timed(started));
        });
  }

  public Mono<Long> rowsUpdated(String sql, Consumer<Statement> binder) {
    return Mono.defer(
        () -> {
          long started = System.nanoTime();
          return Mono.usingWhen(
                  pool.create(),
                  connection -> {
                    Statement statement = connection.createStatement(sql);
                    binder.accept(statement);
                    return Flux.from(statement.execute())
                        .flatMap(result -> result.getRowsUpdated())
                        .reduce(0L, Long::sum);
                  },
                  connection -> connection.close())
              .doFinally(signal -> timed(started));
        });
  }

  /** Every statement's time, connection wait included: what the caller waited. */
  private static void timed(long startedNanos) {
    SwitchboardMetrics.databaseQueryDuration().record(System.nanoTime() - startedNanos);
  }

  public static <T> void bindNullable(Statement statement, int index, T value, Class<T> type) {
    if (value == null) {
      statement.bindNull(index, type);
    } else {
      statement.bind(index, value);
    }
  }

  public static Instant instant(Readable row, int index) {
    OffsetDateTime value = row.get(index, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }

  public static byte[] bytes(ByteBuffer buffer) {
    if (buffer == null) {
      return null;
    }
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
  }
}
