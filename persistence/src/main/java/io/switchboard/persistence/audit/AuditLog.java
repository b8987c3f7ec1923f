package io.switchboard.persistence.audit;

import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.Statement;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import reactor.core.publisher.Flux;

/**
 * The audit log: operator actions, appended only. Actions that change something write their event
 * in the same statement as the change (see {@code DispatchStore}); this class reads them.
 */
public final class AuditLog {

  private final ConnectionPool pool;

  public AuditLog(ConnectionPool pool) {
    this.pool = pool;
  }

  /** Newest first; {@code before} (an event id) pages on from that event; {@code target} filters. */
  public CompletionStage<List<AuditEvent>> list(Optional<String> target, Optional<Long> before, int limit) {
    return Flux.usingWhen(
            pool.create(),
            connection -> {
              Statement statement =
                  connection.createStatement(
                      """
                      SELECT id, at, actor, action, target, before::text, after::text FROM audit_events
                      WHERE ($1::text IS NULL OR target = $1) AND ($2::bigint IS NULL OR id < $2)
                      ORDER BY id DESC LIMIT $3
                      """);
              target.ifPresentOrElse(value -> statement.bind(0, value), () -> statement.bindNull(0, String.class));
              before.ifPresentOrElse(value -> statement.bind(1, value), () -> statement.bindNull(1, Long.class));
              statement.bind(2, limit);
              return Flux.from(statement.execute())
                  .flatMap(
                      result ->
                          result.map(
                              row ->
                                  new AuditEvent(
                                      row.get(0, Long.class),
                                      row.get(1, OffsetDateTime.class).toInstant(),
                                      row.get(2, String.class),
                                      row.get(3, String.class),
                                      row.get(4, String.class),
                                      row.get(5, String.class),
                                      row.get(6, String.class))));
            },
            connection -> connection.close())
        .collectList()
        .toFuture();
  }
}
