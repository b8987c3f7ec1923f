package io.switchboard.persistence.rollouts;

import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.Readable;
import io.switchboard.persistence.Sql;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Rollouts, their targets and progress. A rollout's state only changes from the states the caller
 * names, in one statement with its audit event, so an operator's pause and the driver's step cannot
 * overwrite each other.
 */
public final class RolloutStore {

  private static final String COLUMNS =
      """
      id, configuration, version, previous_version, selector::text, strategy::text, gates::text, state, detail,
      current_batch, acknowledged_batch, batch_count, created_at, created_by, updated_at
      """;

  private final Sql db;

  public RolloutStore(ConnectionPool pool) {
    this.db = new Sql(pool);
  }

  /**
   * Writes the rollout, its targets ({@code batches[i]} is the batch of {@code targets[i]}) and its
   * audit event in one statement.
   */
  public CompletionStage<Rollout> create(
      Rollout rollout, List<String> targets, List<Integer> batches) {
    return create(rollout, targets, batches, null);
  }

  /**
   * As {@link #create(Rollout, List, List)}, with {@code auditNote} (a JSON object, or null) merged
   * into the audit event: a rollout forced past a check says so there.
   */
  public CompletionStage<Rollout> create(
      Rollout rollout, List<String> targets, List<Integer> batches, String auditNote) {
    return db.rows(
            """
            WITH created AS (
              INSERT INTO rollouts (id, configuration, version, previous_version, selector, strategy, gates, state,
                                    batch_count, created_by)
              VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7::jsonb, 'RUNNING', $8, $9)
              RETURNING *
            ), targets AS (
              INSERT INTO rollout_targets (rollout_id, instance_uid, batch)
              SELECT created.id, target.uid, target.batch
              FROM created, unnest($10::text[], $11::int[]) AS target (uid, batch)
            ), audited AS (
              INSERT INTO audit_events (actor, action, target, after)
              SELECT created_by, 'rollout.create', 'rollout/' || id,
                     jsonb_build_object('configuration', configuration, 'version', version, 'selector', selector,
                                        'strategy', strategy, 'gates', gates, 'targets', cardinality($10::text[]))
                     || coalesce($12::jsonb, '{}'::jsonb)
              FROM created
            )
            SELECT %s FROM created
            """
                .formatted(COLUMNS),
            statement -> {
              statement
                  .bind(0, rollout.id())
                  .bind(1, rollout.configuration())
                  .bind(2, rollout.version());
              Sql.bindNullable(statement, 3, rollout.previousVersion(), Integer.class);
              statement
                  .bind(4, rollout.selectorJson())
                  .bind(5, rollout.strategyJson())
                  .bind(6, rollout.gatesJson())
                  .bind(7, rollout.batchCount())
                  .bind(8, rollout.createdBy())
                  .bind(9, targets.toArray(String[]::new))
                  .bind(10, batches.toArray(Integer[]::new));
              Sql.bindNullable(statement, 11, auditNote, String.class);
            },
            RolloutStore::toRollout)
        .single()
        .toFuture();
  }

  public CompletionStage<Optional<Rollout>> find(UUID id) {
    return db.rows(
            "SELECT " + COLUMNS + " FROM rollouts WHERE id = $1",
            statement -> statement.bind(0, id),
            RolloutStore::toRollout)
        .next()
        .map(Optional::of)
        .defaultIfEmpty(Optional.empty())
        .toFuture();
  }

  /** Newest first. */
  public CompletionStage<List<Rollout>> list(int limit) {
    return db.rows(
            "SELECT " + COLUMNS + " FROM rollouts ORDER BY created_at DESC LIMIT $1",
            statement -> statement.bind(0, limit),
            RolloutStore::toRollout)
        .collectList()
        .toFuture();
  }

  /** The rollouts in any of the given states, oldest first. */
  public CompletionStage<List<Rollout>> inStates(Collection<RolloutState> states) {
    String[] names = states.stream().map(RolloutState::name).toArray(String[]::new);
    return db.rows(
            "SELECT " + COLUMNS + " FROM rollouts WHERE state = ANY($1) ORDER BY created_at",
            statement -> statement.bind(0, names),
            RolloutStore::toRollout)
        .collectList()
        .toFuture();
  }

  /** The targets of one batch, or of every batch up to and including {@code batch}. */
  public CompletionStage<List<RolloutTarget>> targets(UUID rollout, int batch, boolean upTo) {
    return db.rows(
            "SELECT instance_uid, batch, dispatch_id FROM rollout_targets WHERE rollout_id = $1 AND "
                + (upTo ? "batch <= $2" : "batch = $2")
                + " ORDER BY batch, instance_uid",
            statement -> statement.bind(0, rollout).bind(1, batch),
            row ->
                new RolloutTarget(
                    row.get(0, String.class), row.get(1, Integer.class), row.get(2, UUID.class)))
        .collectList()
        .toFuture();
  }

  /** Records each agent's envelope for the rollout, in one statement; completes with how many. */
  public CompletionStage<Long> recordEnvelopes(UUID rollout, Map<String, UUID> envelopeByAgent) {
    if (envelopeByAgent.isEmpty()) {
      return CompletableFuture.completedFuture(0L);
    }
    return db.rowsUpdated(
            """
            UPDATE rollout_targets t SET dispatch_id = d.dispatch
            FROM unnest($2::text[], $3::text[]::uuid[]) AS d(uid, dispatch)
            WHERE t.rollout_id = $1 AND t.instance_uid = d.uid
            """,
            statement ->
                statement
                    .bind(0, rollout)
                    .bind(1, envelopeByAgent.keySet().toArray(String[]::new))
                    .bind(
                        2,
                        envelopeByAgent.values().stream()
                            .map(UUID::toString)
                            .toArray(String[]::new)))
        .toFuture();
  }

  /** Every batch's progress, in batch order. */
  public CompletionStage<List<BatchProgress>> progress(UUID rollout) {
    return db.rows(
            """
            SELECT t.batch,
                   count(*),
                   count(*) FILTER (WHERE t.dispatch_id IS NULL),
                   count(*) FILTER (WHERE e.state IN ('PENDING', 'SENT')),
                   count(*) FILTER (WHERE e.state = 'APPLIED'),
                   count(*) FILTER (WHERE e.state = 'FAILED'),
                   count(*) FILTER (WHERE e.state = 'EXPIRED'),
                   count(*) FILTER (WHERE a.connection_state = 'DISCONNECTED'),
                   count(*) FILTER (WHERE (a.health->>'healthy')::boolean = false)
            FROM rollout_targets t
            LEFT JOIN dispatch_envelopes e ON e.id = t.dispatch_id
            LEFT JOIN agents a ON a.instance_uid = t.instance_uid
            WHERE t.rollout_id = $1
            GROUP BY t.batch ORDER BY t.batch
            """,
            statement -> statement.bind(0, rollout),
            row ->
                new BatchProgress(
                    row.get(0, Integer.class),
                    count(row, 1),
                    count(row, 2),
                    count(row, 3),
                    count(row, 4),
                    count(row, 5),
                    count(row, 6),
                    count(row, 7),
                    count(row, 8)))
        .collectList()
        .toFuture();
  }

  /**
   * Moves the rollout to {@code to} if it is in one of {@code from}, with why, its audit event and
   * a delivery for each webhook that wants the event ({@code rollout.paused}, ...); {@code
   * acknowledge} marks the current batch's gates as overridden. False when the rollout was in
   * another state.
   */
  public CompletionStage<Boolean> transition(
      UUID rollout,
      Collection<RolloutState> from,
      RolloutState to,
      String detail,
      boolean acknowledge,
      String actor) {
    return db.rows(
            """
            WITH before AS (SELECT id, state FROM rollouts WHERE id = $1),
            changed AS (
              UPDATE rollouts SET state = $3, detail = $4, updated_at = now(),
                     acknowledged_batch = CASE WHEN $5 THEN current_batch ELSE acknowledged_batch END
              WHERE id = $1 AND state = ANY($2::text[]) RETURNING id, state, configuration, version
            ), audited AS (
              INSERT INTO audit_events (actor, action, target, before, after)
              SELECT $6, 'rollout.' || lower(changed.state), 'rollout/' || changed.id,
                     jsonb_build_object('state', before.state), jsonb_build_object('state', changed.state, 'detail', $4::text)
              FROM changed JOIN before USING (id)
            ), notified AS (
              -- The webhooks that want this event get their delivery with the change itself.
              INSERT INTO webhook_deliveries (webhook, event, payload)
              SELECT w.name, 'rollout.' || lower(changed.state),
                     jsonb_build_object('event', 'rollout.' || lower(changed.state), 'occurred_at', now(),
                       'rollout', jsonb_build_object('id', changed.id, 'configuration', changed.configuration,
                         'version', changed.version, 'state', changed.state, 'previous_state', before.state,
                         'detail', $4::text, 'by', $6::text))
              FROM changed JOIN before USING (id) CROSS JOIN webhooks w
              WHERE w.enabled AND 'rollout.' || lower(changed.state) = ANY (w.events)
            )
            SELECT count(*) FROM changed
            """,
            statement -> {
              statement
                  .bind(0, rollout)
                  .bind(1, from.stream().map(Enum::name).toArray(String[]::new))
                  .bind(2, to.name());
              Sql.bindNullable(statement, 3, detail, String.class);
              statement.bind(4, acknowledge).bind(5, actor);
            },
            row -> row.get(0, Long.class))
        .single()
        .map(changed -> changed > 0)
        .toFuture();
  }

  /** The running rollout moves on from {@code batch} to the next one. */
  public CompletionStage<Boolean> nextBatch(UUID rollout, int batch) {
    return db.rowsUpdated(
            """
            UPDATE rollouts SET current_batch = $2 + 1, detail = NULL, updated_at = now()
            WHERE id = $1 AND state = 'RUNNING' AND current_batch = $2
            """,
            statement -> statement.bind(0, rollout).bind(1, batch))
        .map(updated -> updated > 0)
        .toFuture();
  }

  private static int count(Readable row, int index) {
    return row.get(index, Long.class).intValue();
  }

  private static Rollout toRollout(Readable row) {
    return new Rollout(
        row.get(0, UUID.class),
        row.get(1, String.class),
        row.get(2, Integer.class),
        row.get(3, Integer.class),
        row.get(4, String.class),
        row.get(5, String.class),
        row.get(6, String.class),
        RolloutState.valueOf(row.get(7, String.class)),
        row.get(8, String.class),
        row.get(9, Integer.class),
        row.get(10, Integer.class),
        row.get(11, Integer.class),
        Sql.instant(row, 12),
        row.get(13, String.class),
        Sql.instant(row, 14));
  }
}
