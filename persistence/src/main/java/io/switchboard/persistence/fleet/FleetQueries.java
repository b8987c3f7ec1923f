package io.switchboard.persistence.fleet;

import io.r2dbc.pool.ConnectionPool;
import io.switchboard.persistence.Sql;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;
import reactor.core.publisher.Mono;

/**
 * What the dashboard shows across the fleet: the summary, recent changes, one agent's history,
 * leases.
 */
public final class FleetQueries {

  private static final int GROUPS = 10;

  /** A lease as the cluster view shows it. */
  public record LeaseHolder(String name, String owner, Instant expiresAt, long fencingToken) {}

  private final Sql db;

  public FleetQueries(ConnectionPool pool) {
    this.db = new Sql(pool);
  }

  public CompletionStage<FleetSummary> summary() {
    Mono<long[]> counts =
        db.rows(
                """
                SELECT count(*),
                       count(*) FILTER (WHERE connection_state = 'CONNECTED'),
                       count(*) FILTER (WHERE connection_state = 'DISCONNECTED'),
                       count(*) FILTER (WHERE (health->>'healthy')::boolean),
                       count(*) FILTER (WHERE NOT (health->>'healthy')::boolean),
                       count(*) FILTER (WHERE desired.hash IS NOT NULL
                                          AND desired.hash IS DISTINCT FROM remote_config_status->>'last_remote_config_hash')
                FROM agents
                LEFT JOIN LATERAL (
                  SELECT encode(e.config_hash, 'hex') AS hash FROM dispatch_envelopes e
                  WHERE e.instance_uid = agents.instance_uid AND e.kind = 'REMOTE_CONFIG'
                    AND e.state IN ('PENDING', 'SENT', 'APPLIED')
                  ORDER BY e.created_at DESC LIMIT 1) desired ON true
                """,
                statement -> {},
                row ->
                    new long[] {
                      row.get(0, Long.class),
                      row.get(1, Long.class),
                      row.get(2, Long.class),
                      row.get(3, Long.class),
                      row.get(4, Long.class),
                      row.get(5, Long.class)
                    })
            .single();
    return counts
        .zipWith(
            groups(
                "coalesce(description->'identifying_attributes'->>'service.version', description->'non_identifying_attributes'->>'service.version')"))
        .zipWith(groups("description->'non_identifying_attributes'->>'os.type'"))
        .zipWith(groups("description->'identifying_attributes'->>'service.name'"))
        .zipWith(
            db.rows(
                    "SELECT owner_node, count(*) FROM agents WHERE connection_state = 'CONNECTED' GROUP BY owner_node ORDER BY 2 DESC",
                    statement -> {},
                    row -> new FleetSummary.Group(row.get(0, String.class), row.get(1, Long.class)))
                .collectList())
        .map(
            all -> {
              long[] c = all.getT1().getT1().getT1().getT1();
              return new FleetSummary(
                  c[0],
                  c[1],
                  c[2],
                  c[3],
                  c[4],
                  c[5],
                  all.getT1().getT1().getT1().getT2(),
                  all.getT1().getT1().getT2(),
                  all.getT1().getT2(),
                  all.getT2());
            })
        .toFuture();
  }

  private Mono<List<FleetSummary.Group>> groups(String expression) {
    return db.rows(
            "SELECT coalesce("
                + expression
                + ", '(unknown)') AS value, count(*) FROM agents GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT "
                + GROUPS,
            statement -> {},
            row -> new FleetSummary.Group(row.get(0, String.class), row.get(1, Long.class)))
        .collectList();
  }

  /** Notable changes after {@code since}, oldest first, at most {@code limit}. */
  public CompletionStage<List<StatusChange>> changesSince(Instant since, int limit) {
    return db.rows(
            """
            SELECT recorded_at, instance_uid, connection_state, (health->>'healthy')::boolean, remote_config_status->>'status'
            FROM agent_status_history WHERE recorded_at > $1 ORDER BY recorded_at LIMIT $2
            """,
            statement -> statement.bind(0, since).bind(1, limit),
            row ->
                new StatusChange(
                    Sql.instant(row, 0),
                    row.get(1, String.class),
                    row.get(2, String.class),
                    row.get(3, Boolean.class),
                    row.get(4, String.class)))
        .collectList()
        .toFuture();
  }

  /** One agent's notable changes, newest first. */
  public CompletionStage<List<StatusChange>> history(String instanceUid, int limit) {
    return db.rows(
            """
            SELECT recorded_at, instance_uid, connection_state, (health->>'healthy')::boolean, remote_config_status->>'status'
            FROM agent_status_history WHERE instance_uid = $1 ORDER BY recorded_at DESC LIMIT $2
            """,
            statement -> statement.bind(0, instanceUid).bind(1, limit),
            row ->
                new StatusChange(
                    Sql.instant(row, 0),
                    row.get(1, String.class),
                    row.get(2, String.class),
                    row.get(3, Boolean.class),
                    row.get(4, String.class)))
        .collectList()
        .toFuture();
  }

  public CompletionStage<List<LeaseHolder>> leases() {
    return db.rows(
            "SELECT name, owner, expires_at, fencing_token FROM leases WHERE expires_at > now() ORDER BY name",
            statement -> {},
            row ->
                new LeaseHolder(
                    row.get(0, String.class),
                    row.get(1, String.class),
                    Sql.instant(row, 2),
                    row.get(3, Long.class)))
        .collectList()
        .toFuture();
  }
}
