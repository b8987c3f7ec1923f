package io.switchboard.persistence.agents;

import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.Readable;
import io.r2dbc.spi.Statement;
import io.switchboard.persistence.Sql;
import io.switchboard.persistence.status.ConnectionState;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import reactor.core.publisher.Flux;

/** Agents for the operator API: lists, lookups, selector matches, and the labels operators set. */
public final class AgentRepository {

  private static final String COLUMNS =
      """
      instance_uid, connection_state, last_seen, sequence_num, owner_node, session_epoch,
      capabilities::text, description::text, health::text, effective_config::text,
      remote_config_status::text, custom_capabilities::text, custom_messages::text, labels::text, first_seen, updated_at,
      (SELECT encode(e.config_hash, 'hex') FROM dispatch_envelopes e
       WHERE e.instance_uid = agents.instance_uid AND e.kind = 'REMOTE_CONFIG' AND e.state IN ('PENDING', 'SENT', 'APPLIED')
       ORDER BY e.created_at DESC LIMIT 1)
      """;

  private final ConnectionPool pool;
  private final Sql db;

  public AgentRepository(ConnectionPool pool) {
    this.pool = pool;
    this.db = new Sql(pool);
  }

  /** One page of agents matching the query, in the query's order. */
  public CompletionStage<List<AgentRecord>> list(AgentQuery query) {
    AgentQuery.Sql sql = query.toSql();
    return Flux.usingWhen(
            pool.create(),
            connection -> {
              Statement statement = connection.createStatement("SELECT " + COLUMNS + " FROM agents" + sql.text());
              for (int i = 0; i < sql.parameters().size(); i++) {
                statement.bind(i, sql.parameters().get(i));
              }
              return Flux.from(statement.execute()).flatMap(result -> result.map(AgentRepository::toRecord));
            },
            connection -> connection.close())
        .collectList()
        .toFuture();
  }

  /**
   * The instance uids of every agent the selector matches, in instance_uid order (what a rollout
   * takes as its targets).
   */
  public CompletionStage<List<String>> matching(Selector selector) {
    List<String> conditions = new ArrayList<>();
    List<Object> parameters = new ArrayList<>();
    selector.addConditions(conditions, parameters);
    String where = conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
    return db.rows(
            "SELECT instance_uid FROM agents" + where + " ORDER BY instance_uid",
            statement -> {
              for (int i = 0; i < parameters.size(); i++) {
                statement.bind(i, parameters.get(i));
              }
            },
            row -> row.get(0, String.class))
        .collectList()
        .toFuture();
  }

  /**
   * Replaces an agent's labels ({@code labelsJson}: an object of strings), with its audit event;
   * empty when there is no such agent.
   */
  public CompletionStage<Optional<String>> replaceLabels(String instanceUid, String labelsJson, String actor) {
    return db.rows(
            """
            WITH before AS (SELECT instance_uid, labels FROM agents WHERE instance_uid = $1),
            changed AS (
              UPDATE agents SET labels = $2::jsonb WHERE instance_uid = $1 RETURNING instance_uid, labels
            ), audited AS (
              INSERT INTO audit_events (actor, action, target, before, after)
              SELECT $3, 'agent.labels', 'agent/' || changed.instance_uid, before.labels, changed.labels
              FROM changed JOIN before USING (instance_uid)
            )
            SELECT labels::text FROM changed
            """,
            statement -> statement.bind(0, instanceUid).bind(1, labelsJson).bind(2, actor),
            row -> row.get(0, String.class))
        .next()
        .map(Optional::of)
        .defaultIfEmpty(Optional.empty())
        .toFuture();
  }

  public CompletionStage<Optional<AgentRecord>> find(String instanceUid) {
    return Flux.usingWhen(
            pool.create(),
            connection ->
                Flux.from(
                        connection
                            .createStatement("SELECT " + COLUMNS + " FROM agents WHERE instance_uid = $1")
                            .bind(0, instanceUid)
                            .execute())
                    .flatMap(result -> result.map(AgentRepository::toRecord)),
            connection -> connection.close())
        .next()
        .map(Optional::of)
        .defaultIfEmpty(Optional.empty())
        .toFuture();
  }

  private static AgentRecord toRecord(Readable row) {
    return new AgentRecord(
        row.get(0, String.class),
        ConnectionState.valueOf(row.get(1, String.class)),
        row.get(2, OffsetDateTime.class).toInstant(),
        row.get(3, Long.class),
        row.get(4, String.class),
        row.get(5, Long.class),
        row.get(6, String.class),
        row.get(7, String.class),
        row.get(8, String.class),
        row.get(9, String.class),
        row.get(10, String.class),
        row.get(11, String.class),
        row.get(12, String.class),
        row.get(13, String.class),
        row.get(14, OffsetDateTime.class).toInstant(),
        row.get(15, OffsetDateTime.class).toInstant(),
        row.get(16, String.class));
  }
}
