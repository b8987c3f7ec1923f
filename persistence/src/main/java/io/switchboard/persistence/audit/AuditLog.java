package io.switchboard.persistence.audit;

import io.r2dbc.pool.ConnectionPool;
import io.switchboard.persistence.Sql;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The audit log: operator actions, appended only. Actions that change something write their event
 * in the same statement as the change (see {@code EnvelopeStore}); this class reads them.
 */
public final class AuditLog {

  private final Sql db;

  public AuditLog(ConnectionPool pool) {
    this.db = new Sql(pool);
  }

  /**
   * Newest first; {@code before} (an event id) pages on from that event; {@code target} filters.
   */
  public CompletionStage<List<AuditEvent>> list(
      Optional<String> target, Optional<Long> before, int limit) {
    return db.rows(
            """
            SELECT id, at, actor, action, target, before::text, after::text FROM audit_events
            WHERE ($1::text IS NULL OR target = $1) AND ($2::bigint IS NULL OR id < $2)
            ORDER BY id DESC LIMIT $3
            """,
            statement -> {
              Sql.bindNullable(statement, 0, target.orElse(null), String.class);
              Sql.bindNullable(statement, 1, before.orElse(null), Long.class);
              statement.bind(2, limit);
            },
            row ->
                new AuditEvent(
                    row.get(0, Long.class),
                    Sql.instant(row, 1),
                    row.get(2, String.class),
                    row.get(3, String.class),
                    row.get(4, String.class),
                    row.get(5, String.class),
                    row.get(6, String.class)))
        .collectList()
        .toFuture();
  }
}
