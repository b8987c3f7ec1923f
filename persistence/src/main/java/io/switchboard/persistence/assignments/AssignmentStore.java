package io.switchboard.persistence.assignments;

import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.Readable;
import io.r2dbc.spi.Statement;
import io.switchboard.persistence.Sql;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * Assignments and agents' overrides: each change is one statement with its audit event (actor,
 * action, before and after). Which agents an assignment reaches is {@link AssignmentResolution}.
 */
public final class AssignmentStore {

  private static final String COLUMNS =
      """
      s.name, s.configuration, s.version, s.previous_version, s.selector::text, s.priority, s.description,
      s.rollout_id, (SELECT r.state FROM rollouts r WHERE r.id = s.rollout_id), s.created_at, s.updated_at, s.created_by,
      s.packages::text, s.previous_packages::text, s.packages_rollout_id,
      (SELECT r.state FROM rollouts r WHERE r.id = s.packages_rollout_id)
      """;

  /** What the audit log keeps of an assignment: everything but the prepared messages. */
  private static final String AUDITED =
      "to_jsonb(%s) - 'message' - 'previous_message' - 'packages_message'"
          + " - 'previous_packages_message'";

  private final Sql db;
  private final OverrideWrites overrides;

  public AssignmentStore(ConnectionPool pool) {
    this.db = new Sql(pool);
    this.overrides = new OverrideWrites(db);
  }

  /** Writes a new assignment; empty when one of that name exists. */
  public CompletionStage<Optional<Assignment>> create(AssignmentWrite write, String actor) {
    return db.rows(
            """
            WITH s AS (
              INSERT INTO assignments (name, configuration, version, previous_version, selector, priority,
                                       description, rollout_id, message, previous_message, created_by)
              VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10, $11)
              ON CONFLICT (name) DO NOTHING
              RETURNING *
            ), audited AS (
              INSERT INTO audit_events (actor, action, target, after)
              SELECT $11, 'assignment.create', 'assignment/' || s.name, %s FROM s
            )
            SELECT %s FROM s
            """
                .formatted(AUDITED.formatted("s"), COLUMNS),
            statement -> bind(statement, write).bind(10, actor),
            AssignmentStore::toAssignment)
        .next()
        .map(Optional::of)
        .defaultIfEmpty(Optional.empty())
        .toFuture();
  }

  /**
   * Replaces the assignment's settings with {@code write} (its name and creation stay); empty when
   * there is no such assignment.
   */
  public CompletionStage<Optional<Assignment>> update(AssignmentWrite write, String actor) {
    return db.rows(
            """
            WITH before AS (SELECT * FROM assignments WHERE name = $1),
            s AS (
              UPDATE assignments SET configuration = $2, version = $3, previous_version = $4, selector = $5::jsonb,
                     priority = $6, description = $7, rollout_id = $8, message = $9, previous_message = $10,
                     updated_at = now()
              WHERE name = $1 RETURNING *
            ), audited AS (
              INSERT INTO audit_events (actor, action, target, before, after)
              SELECT $11, 'assignment.update', 'assignment/' || s.name, %s, %s FROM s, before
            )
            SELECT %s FROM s
            """
                .formatted(AUDITED.formatted("before"), AUDITED.formatted("s"), COLUMNS),
            statement -> bind(statement, write).bind(10, actor),
            AssignmentStore::toAssignment)
        .next()
        .map(Optional::of)
        .defaultIfEmpty(Optional.empty())
        .toFuture();
  }

  /**
   * Changes what the assignment selects, its priority and description (its version stays); empty
   * when there is no such assignment.
   */
  public CompletionStage<Optional<Assignment>> updateSettings(
      String name, String selectorJson, int priority, String description, String actor) {
    return db.rows(
            """
            WITH before AS (SELECT * FROM assignments WHERE name = $1),
            s AS (
              UPDATE assignments SET selector = $2::jsonb, priority = $3, description = $4, updated_at = now()
              WHERE name = $1 RETURNING *
            ), audited AS (
              INSERT INTO audit_events (actor, action, target, before, after)
              SELECT $5, 'assignment.update', 'assignment/' || s.name, %s, %s FROM s, before
            )
            SELECT %s FROM s
            """
                .formatted(AUDITED.formatted("before"), AUDITED.formatted("s"), COLUMNS),
            statement ->
                statement
                    .bind(0, name)
                    .bind(1, selectorJson)
                    .bind(2, priority)
                    .bind(3, description == null ? "" : description)
                    .bind(4, actor),
            AssignmentStore::toAssignment)
        .next()
        .map(Optional::of)
        .defaultIfEmpty(Optional.empty())
        .toFuture();
  }

  /**
   * Sets the package set the assignment offers (its configuration stays); with a rollout, the set
   * it offered so far becomes the previous one. Empty when there is no such assignment.
   */
  public CompletionStage<Optional<Assignment>> setPackages(
      String name, AssignmentPackages packages, String actor) {
    return db.rows(
            """
            WITH before AS (SELECT * FROM assignments WHERE name = $1),
            s AS (
              UPDATE assignments SET packages = $2::jsonb, packages_hash = $3, packages_message = $4,
                     previous_packages = CASE WHEN $5::uuid IS NULL THEN NULL ELSE packages END,
                     previous_packages_hash = CASE WHEN $5::uuid IS NULL THEN NULL ELSE packages_hash END,
                     previous_packages_message =
                       CASE WHEN $5::uuid IS NULL THEN NULL ELSE packages_message END,
                     packages_rollout_id = $5, updated_at = now()
              WHERE name = $1 RETURNING *
            ), audited AS (
              INSERT INTO audit_events (actor, action, target, before, after)
              SELECT $6, 'assignment.update', 'assignment/' || s.name, %s, %s FROM s, before
            )
            SELECT %s FROM s
            """
                .formatted(AUDITED.formatted("before"), AUDITED.formatted("s"), COLUMNS),
            statement -> {
              statement.bind(0, name);
              Sql.bindNullable(statement, 1, packages.packagesJson(), String.class);
              Sql.bindNullable(statement, 2, packages.hash(), String.class);
              Sql.bindNullable(statement, 3, packages.message(), byte[].class);
              Sql.bindNullable(statement, 4, packages.rolloutId(), UUID.class);
              statement.bind(5, actor);
            },
            AssignmentStore::toAssignment)
        .next()
        .map(Optional::of)
        .defaultIfEmpty(Optional.empty())
        .toFuture();
  }

  /**
   * Removes the assignment, with its audit event, in one statement; empty when there was none.
   * Otherwise answers the agents whose latest desired config it gave (their configs stay), so that
   * their assignment can be decided again (found by the index of envelopes by assignment).
   */
  public CompletionStage<Optional<List<String>>> delete(String name, String actor) {
    return db.rows(
            """
            WITH s AS (DELETE FROM assignments WHERE name = $1 RETURNING *),
            audited AS (
              INSERT INTO audit_events (actor, action, target, before)
              SELECT $2, 'assignment.delete', 'assignment/' || s.name, %s FROM s
            ), had AS (
              SELECT DISTINCT e.instance_uid FROM dispatch_envelopes e
              WHERE e.kind = 'REMOTE_CONFIG' AND e.payload ? 'assignment' AND e.payload->>'assignment' = $1
                AND e.state IN ('PENDING', 'SENT', 'APPLIED')
                AND NOT EXISTS (SELECT 1 FROM dispatch_envelopes later
                                WHERE later.instance_uid = e.instance_uid AND later.kind = 'REMOTE_CONFIG'
                                  AND later.state IN ('PENDING', 'SENT', 'APPLIED')
                                  AND later.created_at > e.created_at)
            )
            SELECT array(SELECT instance_uid FROM had) FROM s
            """
                .formatted(AUDITED.formatted("s")),
            statement -> statement.bind(0, name).bind(1, actor),
            row -> List.of(row.get(0, String[].class)))
        .next()
        .map(Optional::of)
        .defaultIfEmpty(Optional.empty())
        .toFuture();
  }

  public CompletionStage<Optional<Assignment>> find(String name) {
    return db.rows(
            "SELECT " + COLUMNS + " FROM assignments s WHERE s.name = $1",
            statement -> statement.bind(0, name),
            AssignmentStore::toAssignment)
        .next()
        .map(Optional::of)
        .defaultIfEmpty(Optional.empty())
        .toFuture();
  }

  /** Every assignment, in the order they win: priority, then the older, then by name. */
  public CompletionStage<List<Assignment>> list() {
    return db.rows(
            "SELECT "
                + COLUMNS
                + " FROM assignments s ORDER BY s.priority DESC, s.created_at, s.name",
            statement -> {},
            AssignmentStore::toAssignment)
        .collectList()
        .toFuture();
  }

  /** The assignment whose version change {@code rollout} is, if any. */
  public CompletionStage<Optional<Assignment>> ofRollout(UUID rollout) {
    return db.rows(
            "SELECT " + COLUMNS + " FROM assignments s WHERE s.rollout_id = $1",
            statement -> statement.bind(0, rollout),
            AssignmentStore::toAssignment)
        .next()
        .map(Optional::of)
        .defaultIfEmpty(Optional.empty())
        .toFuture();
  }

  /**
   * How long the oldest unapplied assignment has waited, in seconds (0: none waits), in one
   * statement: over connected agents whose latest desired config is an assignment's open (PENDING,
   * SENT) envelope, where that assignment still exists and still matches the agent, the age of the
   * oldest such envelope. Driven by the small partial index of open envelopes, so it does not read
   * the whole fleet.
   */
  public CompletionStage<Double> oldestUnappliedSeconds() {
    return db.rows(
            """
            SELECT coalesce(extract(epoch FROM now() - min(e.created_at)), 0)::float8
            FROM dispatch_envelopes e
            JOIN agents a ON a.instance_uid = e.instance_uid AND a.connection_state = 'CONNECTED'
            JOIN assignments s ON s.name = e.payload->>'assignment'
            WHERE e.state IN ('PENDING', 'SENT') AND e.kind = 'REMOTE_CONFIG'
              AND switchboard_selector_matches(s.selector, a.labels, a.description)
              AND NOT EXISTS (SELECT 1 FROM dispatch_envelopes later
                              WHERE later.instance_uid = e.instance_uid AND later.kind = 'REMOTE_CONFIG'
                                AND later.created_at > e.created_at)
            """,
            statement -> {},
            row -> row.get(0, Double.class))
        .single()
        .toFuture();
  }

  /**
   * Marks the agent's desired config as an operator's override, which beats every assignment;
   * written together with other agents' (see {@link OverrideWrites}).
   */
  public CompletionStage<Boolean> setOverride(String instanceUid, UUID envelope, String actor) {
    return overrides.set(instanceUid, envelope, actor);
  }

  /** Clears the agent's override, with its audit event; false when it had none. */
  public CompletionStage<Boolean> clearOverride(String instanceUid, String actor) {
    return db.rowsUpdated(
            """
            WITH cleared AS (DELETE FROM config_overrides WHERE instance_uid = $1 RETURNING *)
            INSERT INTO audit_events (actor, action, target, before, after)
            SELECT $2, 'agent.remote_config.clear', 'agent/' || instance_uid,
                   jsonb_build_object('envelope', envelope_id, 'set_by', set_by, 'set_at', set_at), NULL
            FROM cleared
            """,
            statement -> statement.bind(0, instanceUid).bind(1, actor))
        .map(rows -> rows > 0)
        .toFuture();
  }

  private static Statement bind(Statement statement, AssignmentWrite write) {
    statement.bind(0, write.name());
    Sql.bindNullable(statement, 1, write.configuration(), String.class);
    Sql.bindNullable(statement, 2, write.version(), Integer.class);
    Sql.bindNullable(statement, 3, write.previousVersion(), Integer.class);
    statement
        .bind(4, write.selectorJson())
        .bind(5, write.priority())
        .bind(6, write.description() == null ? "" : write.description());
    Sql.bindNullable(statement, 7, write.rolloutId(), UUID.class);
    Sql.bindNullable(statement, 8, write.message(), byte[].class);
    Sql.bindNullable(statement, 9, write.previousMessage(), byte[].class);
    return statement;
  }

  private static Assignment toAssignment(Readable row) {
    return new Assignment(
        row.get(0, String.class),
        row.get(1, String.class),
        row.get(2, Integer.class),
        row.get(3, Integer.class),
        row.get(4, String.class),
        row.get(5, Integer.class),
        row.get(6, String.class),
        row.get(7, UUID.class),
        row.get(8, String.class),
        Sql.instant(row, 9),
        Sql.instant(row, 10),
        row.get(11, String.class),
        row.get(12, String.class),
        row.get(13, String.class),
        row.get(14, UUID.class),
        row.get(15, String.class));
  }
}
