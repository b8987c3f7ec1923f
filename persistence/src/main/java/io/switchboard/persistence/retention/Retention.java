package io.switchboard.persistence.retention;

import io.r2dbc.pool.ConnectionPool;
import io.switchboard.persistence.Sql;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import reactor.core.publisher.Mono;

/**
 * Removes what has outlived its retention: agents not seen for a long time (with their status
 * history), closed envelopes, and old audit events. A few thousand rows per statement, repeated
 * until none are left, so that no statement holds locks or WAL for long.
 */
public final class Retention {

  /** Rows removed per statement. */
  private static final int BATCH = 5_000;

  private final Sql db;

  public Retention(ConnectionPool pool) {
    this.db = new Sql(pool);
  }

  /** What one round removed. */
  public record Removed(long agents, long envelopes, long auditEvents, long sessions) {}

  /**
   * Removes disconnected agents last seen longer than {@code agentsUnseenFor} ago, envelopes closed
   * longer than {@code envelopesClosedFor} ago, and audit events older than {@code auditEventsFor}.
   */
  public CompletionStage<Removed> remove(
      Duration agentsUnseenFor, Duration envelopesClosedFor, Duration auditEventsFor) {
    return repeat(
            """
            WITH removed AS (
              DELETE FROM agents WHERE instance_uid IN (
                SELECT instance_uid FROM agents
                WHERE connection_state = 'DISCONNECTED' AND last_seen < now() - make_interval(secs => $1)
                LIMIT $2)
              RETURNING instance_uid
            ), history AS (
              DELETE FROM agent_status_history WHERE instance_uid IN (SELECT instance_uid FROM removed)
            )
            SELECT instance_uid FROM removed
            """,
            agentsUnseenFor)
        .flatMap(
            agents ->
                repeat(
                        """
                        DELETE FROM dispatch_envelopes WHERE id IN (
                          SELECT id FROM dispatch_envelopes
                          WHERE closed_at < now() - make_interval(secs => $1) LIMIT $2)
                        RETURNING id
                        """,
                        envelopesClosedFor)
                    .flatMap(
                        envelopes ->
                            repeat(
                                    """
                                    DELETE FROM audit_events WHERE id IN (
                                      SELECT id FROM audit_events WHERE at < now() - make_interval(secs => $1)
                                      ORDER BY at LIMIT $2)
                                    RETURNING id
                                    """,
                                    auditEventsFor)
                                .flatMap(
                                    audit ->
                                        expiredSessions()
                                            .map(
                                                sessions ->
                                                    new Removed(
                                                        agents, envelopes, audit, sessions)))))
        .toFuture();
  }

  /** Sessions and single sign-on attempts past their expiry: nobody can use them any more. */
  private Mono<Long> expiredSessions() {
    return db.rowsUpdated("DELETE FROM operator_sessions WHERE expires_at < now()", statement -> {})
        .flatMap(
            sessions ->
                db.rowsUpdated("DELETE FROM sso_logins WHERE expires_at < now()", statement -> {})
                    .thenReturn(sessions));
  }

  /** Runs the statement until a run removes fewer than a batch; the rows removed in all. */
  private Mono<Long> repeat(String sql, Duration age) {
    return db.rows(
            sql, statement -> statement.bind(0, (double) age.toSeconds()).bind(1, BATCH), row -> 1)
        .count()
        .expand(
            removed ->
                removed < BATCH
                    ? Mono.empty()
                    : db.rows(
                            sql,
                            statement -> statement.bind(0, (double) age.toSeconds()).bind(1, BATCH),
                            row -> 1)
                        .count())
        .reduce(0L, Long::sum);
  }
}
