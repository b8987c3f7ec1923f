package io.switchboard.persistence.agents;

import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.Readable;
import io.r2dbc.spi.Statement;
import io.switchboard.persistence.Sql;
import io.switchboard.persistence.envelopes.EnvelopeKind;
import io.switchboard.persistence.envelopes.EnvelopeState;
import io.switchboard.persistence.envelopes.LatestEnvelope;
import io.switchboard.persistence.status.ConnectionState;
import java.nio.ByteBuffer;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
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
       ORDER BY e.created_at DESC LIMIT 1),
      principal, available_components::text, package_statuses::text,
      (SELECT s.name FROM assignments s WHERE s.name =
         (SELECT e.payload->>'assignment' FROM dispatch_envelopes e
          WHERE e.instance_uid = agents.instance_uid AND e.kind = 'REMOTE_CONFIG' AND e.state IN ('PENDING', 'SENT', 'APPLIED')
          ORDER BY e.created_at DESC LIMIT 1)),
      EXISTS (SELECT 1 FROM config_overrides o WHERE o.instance_uid = agents.instance_uid),
      connection_settings_status::text
      """;

  private final ConnectionPool pool;
  private final Sql db;

  public AgentRepository(ConnectionPool pool) {
    this.pool = pool;
    this.db = new Sql(pool);
  }

  /**
   * What new entity incarnations read before serving their agents, for many agents in one statement
   * (see {@link AgentStart}). Agents the database never saw are absent.
   */
  public CompletionStage<Map<String, AgentStart>> starts(Collection<String> instanceUids) {
    return db.rows(
            """
            SELECT a.instance_uid, a.principal, e.kind, e.id, e.message, e.state, e.deadline
            FROM agents a
            LEFT JOIN LATERAL (
              SELECT DISTINCT ON (kind) kind, id, message, state, deadline
              FROM dispatch_envelopes d
              WHERE d.instance_uid = a.instance_uid AND kind IN ('REMOTE_CONFIG', 'CONNECTION_SETTINGS', 'PACKAGES')
                AND state IN ('PENDING', 'SENT', 'APPLIED')
              ORDER BY kind, created_at DESC) e ON true
            WHERE a.instance_uid = ANY($1::text[])
            """,
            statement -> statement.bind(0, instanceUids.toArray(String[]::new)),
            row -> {
              String kind = row.get(2, String.class);
              return new StartRow(
                  row.get(0, String.class),
                  row.get(1, String.class),
                  kind == null ? null : EnvelopeKind.valueOf(kind),
                  kind == null
                      ? null
                      : new LatestEnvelope(
                          row.get(3, UUID.class),
                          Sql.bytes(row.get(4, ByteBuffer.class)),
                          EnvelopeState.valueOf(row.get(5, String.class)),
                          Sql.instant(row, 6)));
            })
        .collect(
            HashMap<String, StartRow.Collected>::new,
            (byAgent, found) -> {
              StartRow.Collected collected =
                  byAgent.computeIfAbsent(
                      found.instanceUid(), uid -> new StartRow.Collected(found.principal()));
              if (found.kind() != null) {
                collected.desired().put(found.kind(), found.envelope());
              }
            })
        .map(
            byAgent -> {
              Map<String, AgentStart> starts = new HashMap<>();
              byAgent.forEach(
                  (uid, collected) ->
                      starts.put(
                          uid,
                          new AgentStart(
                              true, collected.principal(), Map.copyOf(collected.desired()))));
              return starts;
            })
        .toFuture();
  }

  private record StartRow(
      String instanceUid, String principal, EnvelopeKind kind, LatestEnvelope envelope) {
    record Collected(String principal, Map<EnvelopeKind, LatestEnvelope> desired) {
      Collected(String principal) {
        this(principal, new EnumMap<>(EnvelopeKind.class));
      }
    }
  }

  /**
   * Unbinds the agent's identity from the credential it was first seen with, for a legitimate
   * re-enrolment: its next session binds it again. Audited as {@code actor}'s. False if no such
   * agent.
   */
  public CompletionStage<Boolean> resetPrincipal(String instanceUid, String actor) {
    return db.rowsUpdated(
            """
            WITH reset AS (
              UPDATE agents a SET principal = NULL FROM agents before
              WHERE a.instance_uid = $1 AND before.instance_uid = a.instance_uid
              RETURNING before.principal AS was
            )
            INSERT INTO audit_events (actor, action, target, before, after)
            SELECT $2, 'agent.credential.reset', 'agent/' || $1, jsonb_build_object('principal', was), '{}'::jsonb FROM reset
            """,
            statement -> statement.bind(0, instanceUid).bind(1, actor))
        .map(rows -> rows > 0)
        .toFuture();
  }

  /**
   * Removes an agent with its status history (its envelopes stay, as the record of what was asked,
   * until their retention). Audited as {@code actor}'s. False if no such agent.
   */
  public CompletionStage<Boolean> delete(String instanceUid, String actor) {
    return db.rowsUpdated(
            """
            WITH removed AS (
              DELETE FROM agents WHERE instance_uid = $1 RETURNING instance_uid, labels, principal
            ), history AS (
              DELETE FROM agent_status_history WHERE instance_uid IN (SELECT instance_uid FROM removed)
            )
            INSERT INTO audit_events (actor, action, target, before, after)
            SELECT $2, 'agent.delete', 'agent/' || instance_uid,
                   jsonb_build_object('labels', labels, 'principal', principal), NULL FROM removed
            """,
            statement -> statement.bind(0, instanceUid).bind(1, actor))
        .map(rows -> rows > 0)
        .toFuture();
  }

  /**
   * Audits a session refused because the agent's identity belongs to another credential: who it is
   * bound to, what the session presented, and the node it came through.
   */
  public CompletionStage<Long> recordIdentityConflict(
      String instanceUid, String bound, String presented, String node) {
    return db.rowsUpdated(
            """
            INSERT INTO audit_events (actor, action, target, before, after)
            VALUES ('switchboard/gateway', 'agent.identity.conflict', 'agent/' || $1,
                    jsonb_build_object('principal', $2::text), jsonb_build_object('presented', $3::text, 'node', $4::text))
            """,
            statement -> {
              statement.bind(0, instanceUid);
              Sql.bindNullable(statement, 1, bound, String.class);
              Sql.bindNullable(statement, 2, presented, String.class);
              statement.bind(3, node);
            })
        .toFuture();
  }

  /** One page of agents matching the query, in the query's order. */
  public CompletionStage<List<AgentRecord>> list(AgentQuery query) {
    AgentQuery.Sql sql = query.toSql();
    return Flux.usingWhen(
            pool.create(),
            connection -> {
              Statement statement =
                  connection.createStatement("SELECT " + COLUMNS + " FROM agents" + sql.text());
              for (int i = 0; i < sql.parameters().size(); i++) {
                statement.bind(i, sql.parameters().get(i));
              }
              return Flux.from(statement.execute())
                  .flatMap(result -> result.map(AgentRepository::toRecord));
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

  /** How many agents the selector matches now (index-served, like {@link #matching}). */
  public CompletionStage<Long> count(Selector selector) {
    List<String> conditions = new ArrayList<>();
    List<Object> parameters = new ArrayList<>();
    selector.addConditions(conditions, parameters);
    String where = conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
    return db.rows(
            "SELECT count(*) FROM agents" + where,
            statement -> {
              for (int i = 0; i < parameters.size(); i++) {
                statement.bind(i, parameters.get(i));
              }
            },
            row -> row.get(0, Long.class))
        .single()
        .toFuture();
  }

  /**
   * Replaces an agent's labels ({@code labelsJson}: an object of strings), with its audit event;
   * empty when there is no such agent.
   */
  public CompletionStage<Optional<String>> replaceLabels(
      String instanceUid, String labelsJson, String actor) {
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
                            .createStatement(
                                "SELECT " + COLUMNS + " FROM agents WHERE instance_uid = $1")
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
        row.get(16, String.class),
        row.get(17, String.class),
        row.get(18, String.class),
        row.get(19, String.class),
        row.get(20, String.class),
        Boolean.TRUE.equals(row.get(21, Boolean.class)),
        row.get(22, String.class));
  }
}
