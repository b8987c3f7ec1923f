package io.switchboard.persistence.envelopes;

import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.Readable;
import io.r2dbc.spi.Statement;
import io.switchboard.persistence.Sql;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The envelopes in PostgreSQL (table dispatch_envelopes). Every statement stands alone (no session
 * state, no transaction spanning calls), so it works through PgBouncer in transaction mode. State
 * changes only ever move an open envelope (PENDING, SENT) forward, so two nodes racing on one
 * envelope cannot reopen or rewrite a closed one.
 */
public final class EnvelopeStore {

  private static final String COLUMNS =
      """
      id, instance_uid, kind, payload::text, state, detail, deadline, created_at, created_by,
      sent_at, sent_by_node, closed_at
      """;

  /**
   * Writes envelopes and their audit events in one statement, skipping those for agents that never
   * reported and those whose idempotency key an envelope has already; one row comes back per
   * envelope given: what was written (all null if nothing was), its id, and whether its agent is
   * known. Arrays are bound as text and cast (R2DBC binds no uuid, jsonb, timestamptz or bytea
   * arrays); the protobuf parts travel as base64.
   */
  private static final String CREATE =
      """
      WITH incoming AS (
        SELECT i.*, EXISTS (SELECT 1 FROM agents a WHERE a.instance_uid = i.instance_uid) AS known
        FROM unnest($1::text[]::uuid[], $2::text[], $3::text[], $4::text[]::jsonb[], $5::text[], $6::text[],
                    $7::text[], $8::text[]::timestamptz[], $9::text[])
          AS i(id, instance_uid, kind, payload, message, config_hash, idempotency_key, deadline, created_by)
      ), created AS (
        INSERT INTO dispatch_envelopes
          (id, instance_uid, kind, payload, message, config_hash, idempotency_key, state, deadline, created_by)
        SELECT id, instance_uid, kind, payload, decode(message, 'base64'), decode(config_hash, 'base64'),
               idempotency_key, 'PENDING', deadline, created_by
        FROM incoming
        WHERE known
        ON CONFLICT (idempotency_key) DO NOTHING
        RETURNING *
      ), audited AS (
        INSERT INTO audit_events (actor, action, target, after)
        SELECT created_by, 'dispatch.' || lower(kind), 'agent/' || instance_uid,
               jsonb_build_object('envelope', id, 'kind', kind, 'payload', payload, 'deadline', deadline)
        FROM created
      )
      SELECT written.*, incoming.id AS incoming_id, incoming.known
      FROM incoming LEFT JOIN (SELECT %s FROM created) written ON written.id = incoming.id
      """
          .formatted(COLUMNS);

  private final Sql db;

  public EnvelopeStore(ConnectionPool pool) {
    this.db = new Sql(pool);
  }

  /** The outcome of {@link #create} for one envelope. */
  public sealed interface Submission {}

  /** An outcome that names an envelope in the store, written now or before. */
  public sealed interface WithEnvelope extends Submission {
    Envelope envelope();
  }

  /** Written now. */
  public record Created(Envelope envelope) implements WithEnvelope {}

  /** The idempotency key was used before for the same request: this is the envelope it made. */
  public record Replayed(Envelope envelope) implements WithEnvelope {}

  /** The idempotency key was used before for a different request. */
  public record KeyReused(Envelope envelope) implements WithEnvelope {}

  /** No agent of that id ever reported to Switchboard; nothing was written. */
  public record UnknownAgent(String instanceUid) implements Submission {}

  /**
   * Writes the envelopes (each with its audit event) in one statement, only for agents that have
   * reported to Switchboard. Completes with one submission per envelope, in the order given; an
   * envelope whose idempotency key was taken is answered with what the key holds.
   */
  public CompletionStage<List<Submission>> create(List<NewEnvelope> envelopes) {
    if (envelopes.isEmpty()) {
      return CompletableFuture.completedFuture(List.of());
    }
    Base64.Encoder base64 = Base64.getEncoder();
    return db.rows(
            CREATE,
            statement ->
                statement
                    .bind(0, column(envelopes, envelope -> envelope.id().toString()))
                    .bind(1, column(envelopes, NewEnvelope::instanceUid))
                    .bind(2, column(envelopes, envelope -> envelope.kind().name()))
                    .bind(3, column(envelopes, NewEnvelope::payloadJson))
                    .bind(
                        4, column(envelopes, envelope -> base64.encodeToString(envelope.message())))
                    .bind(
                        5,
                        column(
                            envelopes,
                            envelope ->
                                envelope.configHash() == null
                                    ? null
                                    : base64.encodeToString(envelope.configHash())))
                    .bind(6, column(envelopes, NewEnvelope::idempotencyKey))
                    .bind(7, column(envelopes, envelope -> envelope.deadline().toString()))
                    .bind(8, column(envelopes, NewEnvelope::createdBy)),
            row ->
                new CreateRow(
                    row.get("incoming_id", UUID.class),
                    row.get("known", Boolean.class),
                    row.get(0) == null ? null : toEnvelope(row)))
        .collectMap(CreateRow::incoming)
        .flatMap(
            rows ->
                Flux.fromIterable(envelopes)
                    .concatMap(envelope -> submission(envelope, rows.get(envelope.id())))
                    .collectList())
        .toFuture();
  }

  /** One envelope's row of the statement: {@code created} is null if it was not written. */
  private record CreateRow(UUID incoming, boolean known, Envelope created) {}

  private Mono<Submission> submission(NewEnvelope envelope, CreateRow row) {
    if (row.created() != null) {
      return Mono.just(new Created(row.created()));
    }
    return row.known()
        ? existingUnderKey(envelope)
        : Mono.just(new UnknownAgent(envelope.instanceUid()));
  }

  private static String[] column(List<NewEnvelope> envelopes, Function<NewEnvelope, String> value) {
    return envelopes.stream().map(value).toArray(String[]::new);
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
              Envelope existing = toEnvelope(row);
              boolean same =
                  existing.instanceUid().equals(envelope.instanceUid())
                      && existing.kind() == envelope.kind()
                      && Arrays.equals(
                          Sql.bytes(row.get(12, ByteBuffer.class)), envelope.message());
              return same ? (Submission) new Replayed(existing) : new KeyReused(existing);
            })
        .next()
        .switchIfEmpty(
            Mono.error(
                () ->
                    new IllegalStateException(
                        "envelope " + envelope.id() + " was neither written nor found")));
  }

  public CompletionStage<Optional<Envelope>> find(UUID id) {
    return db.rows(
            "SELECT " + COLUMNS + " FROM dispatch_envelopes WHERE id = $1",
            statement -> statement.bind(0, id),
            EnvelopeStore::toEnvelope)
        .next()
        .map(Optional::of)
        .defaultIfEmpty(Optional.empty())
        .toFuture();
  }

  /**
   * Newest first, optionally for one agent and in one state; {@code before} (an envelope id) pages
   * on from that envelope.
   */
  public CompletionStage<List<Envelope>> list(
      Optional<String> instanceUid,
      Optional<EnvelopeState> state,
      Optional<UUID> before,
      int limit) {
    StringBuilder sql =
        new StringBuilder("SELECT " + COLUMNS + " FROM dispatch_envelopes WHERE true");
    List<Object> parameters = new ArrayList<>();
    instanceUid.ifPresent(uid -> sql.append(" AND instance_uid = $").append(add(parameters, uid)));
    state.ifPresent(wanted -> sql.append(" AND state = $").append(add(parameters, wanted.name())));
    before.ifPresent(
        id -> {
          int index = add(parameters, id);
          sql.append(
                  " AND (created_at, id) < (SELECT created_at, id FROM dispatch_envelopes WHERE id = $")
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
            EnvelopeStore::toEnvelope)
        .collectList()
        .toFuture();
  }

  /**
   * The envelopes went down sessions, each from the node it maps to. Completes with those that were
   * still pending (the others were sent or closed already).
   */
  public CompletionStage<Set<UUID>> markSent(Map<UUID, String> nodeByEnvelope) {
    return changed(
        """
        UPDATE dispatch_envelopes e SET state = 'SENT', sent_at = now(), sent_by_node = s.node
        FROM unnest($1::text[]::uuid[], $2::text[]) AS s(id, node)
        WHERE e.id = s.id AND e.state = 'PENDING'
        RETURNING e.id
        """,
        nodeByEnvelope.keySet(),
        statement ->
            statement
                .bind(
                    0, nodeByEnvelope.keySet().stream().map(UUID::toString).toArray(String[]::new))
                .bind(1, nodeByEnvelope.values().toArray(String[]::new)));
  }

  /**
   * Closes open envelopes as APPLIED, FAILED or EXPIRED, with why. Completes with those that were
   * still open (the others were closed already). An envelope may appear once.
   */
  public CompletionStage<Set<UUID>> close(Collection<EnvelopeOutcome> outcomes) {
    return changed(
        """
        UPDATE dispatch_envelopes e SET state = c.state, detail = c.detail, closed_at = now()
        FROM unnest($1::text[]::uuid[], $2::text[], $3::text[]) AS c(id, state, detail)
        WHERE e.id = c.id AND e.state IN ('PENDING', 'SENT')
        RETURNING e.id
        """,
        outcomes,
        statement ->
            statement
                .bind(
                    0,
                    outcomes.stream()
                        .map(outcome -> outcome.envelope().toString())
                        .toArray(String[]::new))
                .bind(
                    1,
                    outcomes.stream().map(outcome -> outcome.state().name()).toArray(String[]::new))
                .bind(2, outcomes.stream().map(EnvelopeOutcome::detail).toArray(String[]::new)));
  }

  private CompletionStage<Set<UUID>> changed(
      String update, Collection<?> changes, Consumer<Statement> binder) {
    if (changes.isEmpty()) {
      return CompletableFuture.completedFuture(Set.of());
    }
    return db.rows(update, binder, row -> row.get(0, UUID.class))
        .collect(Collectors.toSet())
        .toFuture();
  }

  /**
   * Expires envelopes whose deadline passed more than {@code grace} ago: pending ones that never
   * reached a session, and remote configs sent but never confirmed. The grace leaves an entity that
   * is sending one right at its deadline the time to record it. Returns how many.
   */
  public CompletionStage<Long> expireOverdue(Duration grace) {
    return db.rowsUpdated(
            """
            UPDATE dispatch_envelopes
            SET state = 'EXPIRED', closed_at = now(),
                detail = CASE state WHEN 'PENDING' THEN 'the deadline passed before the agent was reachable'
                                    ELSE 'the deadline passed before the agent confirmed it' END
            WHERE state IN ('PENDING', 'SENT') AND (state = 'PENDING' OR kind IN ('REMOTE_CONFIG', 'PACKAGES'))
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
              WHERE state IN ('PENDING', 'SENT') AND (state = 'PENDING' OR kind IN ('REMOTE_CONFIG', 'PACKAGES'))
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

  private static int add(List<Object> parameters, Object value) {
    parameters.add(value);
    return parameters.size();
  }

  private static Envelope toEnvelope(Readable row) {
    return new Envelope(
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
