package io.switchboard.persistence.dispatch;

import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.Readable;
import io.r2dbc.spi.Statement;
import io.switchboard.persistence.Sql;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import reactor.core.publisher.Mono;

/**
 * The dispatch envelopes in PostgreSQL. Every statement stands alone (no session state, no
 * transaction spanning calls), so it works through PgBouncer in transaction mode. State changes
 * only ever move an open envelope (PENDING, SENT) forward, so two nodes racing on one envelope
 * cannot reopen or rewrite a closed one.
 */
public final class DispatchStore {

  private static final String COLUMNS =
      """
      id, instance_uid, kind, payload::text, state, detail, deadline, created_at, created_by,
      sent_at, sent_by_node, closed_at
      """;

  /**
   * Writes the envelope and its audit event in one statement, unless an envelope with the same
   * idempotency key exists.
   */
  private static final String CREATE =
      """
      WITH created AS (
        INSERT INTO dispatch_envelopes
          (id, instance_uid, kind, payload, message, config_hash, idempotency_key, state, deadline, created_by)
        VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, 'PENDING', $8, $9)
        ON CONFLICT (idempotency_key) DO NOTHING
        RETURNING *
      ), audited AS (
        INSERT INTO audit_events (actor, action, target, after)
        SELECT created_by, 'dispatch.' || lower(kind), 'agent/' || instance_uid,
               jsonb_build_object('dispatch', id, 'kind', kind, 'payload', payload, 'deadline', deadline)
        FROM created
      )
      SELECT %s FROM created
      """
          .formatted(COLUMNS);

  private final Sql db;

  public DispatchStore(ConnectionPool pool) {
    this.db = new Sql(pool);
  }

  /** The outcome of {@link #create}. */
  public sealed interface Submission {
    DispatchEnvelope envelope();
  }

  /** Written now. */
  public record Created(DispatchEnvelope envelope) implements Submission {}

  /** The idempotency key was used before for the same request: this is the envelope it made. */
  public record Replayed(DispatchEnvelope envelope) implements Submission {}

  /** The idempotency key was used before for a different request. */
  public record KeyReused(DispatchEnvelope envelope) implements Submission {}

  public CompletionStage<Submission> create(NewEnvelope envelope) {
    return db.rows(
            CREATE,
            statement -> {
              statement
                  .bind(0, envelope.id())
                  .bind(1, envelope.instanceUid())
                  .bind(2, envelope.kind().name())
                  .bind(3, envelope.payloadJson())
                  .bind(4, ByteBuffer.wrap(envelope.message()));
              Sql.bindNullable(statement, 5, envelope.configHash() == null ? null : ByteBuffer.wrap(envelope.configHash()), ByteBuffer.class);
              Sql.bindNullable(statement, 6, envelope.idempotencyKey(), String.class);
              statement.bind(7, envelope.deadline()).bind(8, envelope.createdBy());
            },
            DispatchStore::toEnvelope)
        .next()
        .<Submission>map(Created::new)
        .switchIfEmpty(Mono.defer(() -> existingUnderKey(envelope)))
        .toFuture();
  }

  /** Same agent, kind and payload under the same key is a retry; anything else reuses the key. */
  private Mono<Submission> existingUnderKey(NewEnvelope envelope) {
    if (envelope.idempotencyKey() == null) {
      return Mono.error(new IllegalStateException("envelope " + envelope.id() + " exists already"));
    }
    return db.rows(
            "SELECT " + COLUMNS + ", message FROM dispatch_envelopes WHERE idempotency_key = $1",
            statement -> statement.bind(0, envelope.idempotencyKey()),
            row -> {
              DispatchEnvelope existing = toEnvelope(row);
              boolean same =
                  existing.instanceUid().equals(envelope.instanceUid())
                      && existing.kind() == envelope.kind()
                      && Arrays.equals(Sql.bytes(row.get(12, ByteBuffer.class)), envelope.message());
              return same ? (Submission) new Replayed(existing) : new KeyReused(existing);
            })
        .next()
        .switchIfEmpty(
            Mono.error(() -> new IllegalStateException("envelope " + envelope.id() + " was neither written nor found")));
  }

  public CompletionStage<Optional<DispatchEnvelope>> find(UUID id) {
    return db.rows(
            "SELECT " + COLUMNS + " FROM dispatch_envelopes WHERE id = $1",
            statement -> statement.bind(0, id),
            DispatchStore::toEnvelope)
        .next()
        .map(Optional::of)
        .defaultIfEmpty(Optional.empty())
        .toFuture();
  }

  /**
   * Newest first, optionally for one agent and in one state; {@code before} (an envelope id) pages
   * on from that envelope.
   */
  public CompletionStage<List<DispatchEnvelope>> list(
      Optional<String> instanceUid, Optional<EnvelopeState> state, Optional<UUID> before, int limit) {
    StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM dispatch_envelopes WHERE true");
    List<Object> parameters = new ArrayList<>();
    instanceUid.ifPresent(uid -> sql.append(" AND instance_uid = $").append(add(parameters, uid)));
    state.ifPresent(wanted -> sql.append(" AND state = $").append(add(parameters, wanted.name())));
    before.ifPresent(
        id -> {
          int index = add(parameters, id);
          sql.append(" AND (created_at, id) < (SELECT created_at, id FROM dispatch_envelopes WHERE id = $")
              .append(index)
              .append(")");
        });
    sql.append(" ORDER BY created_at DESC, id DESC LIMIT ").append(limit);
    return db.rows(
            sql.toString(),
            statement -> {
              for (int i = 0; i < parameters.size(); i++) {
                statement.bind(i, parameters.get(i));
              }
            },
            DispatchStore::toEnvelope)
        .collectList()
        .toFuture();
  }

  /**
   * What new incarnations of agents' entities need to know what their agents should run, for many
   * agents in one statement: per agent and per kind that sets it (remote config, connection
   * settings), the agent's latest envelope that is open or was applied. Agents with none are absent.
   */
  public CompletionStage<Map<String, Map<EnvelopeKind, StoredDispatch>>> latestDesired(Collection<String> instanceUids) {
    return db.rows(
            """
            SELECT DISTINCT ON (instance_uid, kind) instance_uid, kind, id, message, state, deadline
            FROM dispatch_envelopes
            WHERE instance_uid = ANY($1::text[]) AND kind IN ('REMOTE_CONFIG', 'CONNECTION_SETTINGS')
              AND state IN ('PENDING', 'SENT', 'APPLIED')
            ORDER BY instance_uid, kind, created_at DESC
            """,
            statement -> statement.bind(0, instanceUids.toArray(String[]::new)),
            row ->
                new DesiredRow(
                    row.get(0, String.class),
                    EnvelopeKind.valueOf(row.get(1, String.class)),
                    new StoredDispatch(
                        row.get(2, UUID.class),
                        Sql.bytes(row.get(3, ByteBuffer.class)),
                        EnvelopeState.valueOf(row.get(4, String.class)),
                        Sql.instant(row, 5))))
        .collect(
            HashMap<String, Map<EnvelopeKind, StoredDispatch>>::new,
            (byAgent, found) ->
                byAgent.computeIfAbsent(found.instanceUid(), uid -> new EnumMap<>(EnvelopeKind.class))
                    .put(found.kind(), found.dispatch()))
        .map(Map::<String, Map<EnvelopeKind, StoredDispatch>>copyOf)
        .toFuture();
  }

  private record DesiredRow(String instanceUid, EnvelopeKind kind, StoredDispatch dispatch) {}

  /** The envelope went down a session, from {@code node}. False if it was no longer pending. */
  public CompletionStage<Boolean> markSent(UUID id, String node) {
    return update(
        "UPDATE dispatch_envelopes SET state = 'SENT', sent_at = now(), sent_by_node = $2 WHERE id = $1 AND state = 'PENDING'",
        statement -> statement.bind(0, id).bind(1, node));
  }

  /** Closes an open envelope as APPLIED, FAILED or EXPIRED. False if it was closed already. */
  public CompletionStage<Boolean> close(UUID id, EnvelopeState outcome, String detail) {
    if (outcome.isOpen()) {
      throw new IllegalArgumentException(outcome + " does not close an envelope");
    }
    return update(
        """
        UPDATE dispatch_envelopes SET state = $2, detail = $3, closed_at = now()
        WHERE id = $1 AND state IN ('PENDING', 'SENT')
        """,
        statement -> {
          statement.bind(0, id).bind(1, outcome.name());
          Sql.bindNullable(statement, 2, detail, String.class);
        });
  }

  /**
   * Expires envelopes whose deadline passed more than {@code grace} ago: pending ones that never
   * reached a session, and remote configs sent but never confirmed. The grace leaves an entity
   * that is sending one right at its deadline the time to record it. Returns how many.
   */
  public CompletionStage<Long> expireOverdue(Duration grace) {
    return db.rowsUpdated(
            """
            UPDATE dispatch_envelopes
            SET state = 'EXPIRED', closed_at = now(),
                detail = CASE state WHEN 'PENDING' THEN 'the deadline passed before the agent was reachable'
                                    ELSE 'the deadline passed before the agent confirmed it' END
            WHERE state IN ('PENDING', 'SENT') AND (state = 'PENDING' OR kind = 'REMOTE_CONFIG')
              AND deadline < now() - make_interval(secs => $1)
            """,
            statement -> statement.bind(0, (double) grace.toMillis() / 1000))
        .toFuture();
  }

  /**
   * Takes up to {@code limit} envelopes whose entity may have lost them (a node died, the entity
   * moved): pending ones, and remote configs sent but not yet confirmed, not handed over in the
   * last {@code quietFor}. Marks them handed over now, so the next sweep moves on to others.
   */
  public CompletionStage<List<Redelivery>> takeForRedelivery(Duration quietFor, int limit) {
    return db.rows(
            """
            UPDATE dispatch_envelopes SET nudged_at = now()
            WHERE id IN (
              SELECT id FROM dispatch_envelopes
              WHERE state IN ('PENDING', 'SENT') AND (state = 'PENDING' OR kind = 'REMOTE_CONFIG')
                AND deadline > now()
                AND coalesce(nudged_at, created_at) < now() - make_interval(secs => $1)
              ORDER BY deadline
              LIMIT $2
              FOR UPDATE SKIP LOCKED)
            RETURNING id, instance_uid, message, deadline
            """,
            statement -> statement.bind(0, (double) quietFor.toMillis() / 1000).bind(1, limit),
            row ->
                new Redelivery(
                    row.get(0, UUID.class),
                    row.get(1, String.class),
                    Sql.bytes(row.get(2, ByteBuffer.class)),
                    Sql.instant(row, 3)))
        .collectList()
        .toFuture();
  }

  private CompletionStage<Boolean> update(String statement, Consumer<Statement> binder) {
    return db.rowsUpdated(statement, binder).map(updated -> updated > 0).toFuture();
  }

  private static int add(List<Object> parameters, Object value) {
    parameters.add(value);
    return parameters.size();
  }

  private static DispatchEnvelope toEnvelope(Readable row) {
    return new DispatchEnvelope(
        row.get(0, UUID.class),
        row.get(1, String.class),
        EnvelopeKind.valueOf(row.get(2, String.class)),
        row.get(3, String.class),
        EnvelopeState.valueOf(row.get(4, String.class)),
        row.get(5, String.class),
        Sql.instant(row, 6),
        Sql.instant(row, 7),
        row.get(8, String.class),
        Sql.instant(row, 9),
        row.get(10, String.class),
        Sql.instant(row, 11));
  }
}
