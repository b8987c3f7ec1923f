package io.switchboard.persistence.assignments;

import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.Readable;
import io.r2dbc.spi.Statement;
import io.switchboard.persistence.Sql;
import io.switchboard.persistence.agents.Selector;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * Which agents get which assignment's config, decided in SQL. An agent's assignment is the one of
 * highest priority whose selector matches it (ties: the older assignment, then the smaller name),
 * unless an operator's override beats them all; only assignments with a configuration take part
 * (see {@link AssignedPackagesSql} for package sets). It gets that assignment's safe version (the
 * previous one while a version change rolls out), as a REMOTE_CONFIG envelope whose payload names
 * the assignment, unless its latest desired envelope already is that assignment's at that version
 * (or, mid-rollout, at the version the rollout already gave it). One agent is decided with one
 * statement ({@link #resolve}); an assignment's whole reach, however many agents, with one
 * set-based statement ({@link #apply}, {@link #winners}).
 */
public final class AssignmentResolution {

  /** Whom envelopes written by assignments are audited as. */
  public static final String ACTOR = "switchboard/assignments";

  /** The assignment as agents get it now: safe version, its files and hash, its message. */
  private static final String SAFE =
      """
      SELECT s.name, s.configuration, s.priority, s.created_at, s.selector, s.version AS target,
             v.version, v.config_map, v.config_hash, in_flight,
             CASE WHEN in_flight THEN s.previous_message ELSE s.message END AS message
      FROM assignments s
      LEFT JOIN rollouts r ON r.id = s.rollout_id
      CROSS JOIN LATERAL (SELECT s.previous_version IS NOT NULL AND s.rollout_id IS NOT NULL
                                 AND r.state IS DISTINCT FROM 'COMPLETED' AS in_flight) f
      JOIN configuration_versions v ON v.name = s.configuration
        AND v.version = CASE WHEN in_flight THEN s.previous_version ELSE s.version END
      """;

  /** The agent {@code %1$s}'s latest desired envelope is already what {@code %2$s} gives. */
  private static final String ALREADY =
      """
      EXISTS (SELECT 1 FROM (SELECT e.payload FROM dispatch_envelopes e
                             WHERE e.instance_uid = %1$s AND e.kind = 'REMOTE_CONFIG'
                               AND e.state IN ('PENDING', 'SENT', 'APPLIED')
                             ORDER BY e.created_at DESC LIMIT 1) c
              WHERE c.payload->>'assignment' = %2$s.name
                AND ((c.payload->>'version')::int = %2$s.version
                     OR (%2$s.in_flight AND (c.payload->>'version')::int = %2$s.target)))
      """;

  private static final String INSERT =
      """
      INSERT INTO dispatch_envelopes (id, instance_uid, kind, payload, message, config_hash, state, deadline, created_by)
      SELECT gen_random_uuid(), %s, 'REMOTE_CONFIG',
             jsonb_build_object('assignment', w.name, 'configuration', w.configuration, 'version', w.version,
                                'config_map', w.config_map),
             w.message, w.config_hash, 'PENDING', now() + $2 * interval '1 millisecond', '%s'
      """;

  /** AcceptsPackages, in the capability bits the agents table keeps. */
  private static final long ACCEPTS_PACKAGES = 0x8;

  private static final String RESOLVE =
      """
      WITH agent AS (
        SELECT coalesce((SELECT labels FROM agents WHERE instance_uid = $1), '{}'::jsonb) AS labels,
               coalesce($3::jsonb, (SELECT description FROM agents WHERE instance_uid = $1)) AS description,
               coalesce($4::bigint, (SELECT (capabilities->>'bits')::bigint FROM agents WHERE instance_uid = $1), 0)
                 AS capabilities
      ), w AS (
        SELECT safe.* FROM (%s) safe, agent
        WHERE NOT EXISTS (SELECT 1 FROM config_overrides o WHERE o.instance_uid = $1)
          AND switchboard_selector_matches(safe.selector, agent.labels, agent.description)
        ORDER BY safe.priority DESC, safe.created_at, safe.name LIMIT 1
      ), created AS (
        %s FROM w WHERE NOT %s
        RETURNING id, instance_uid, kind, payload, message, deadline, created_by
      ), p AS (
        SELECT safe.* FROM (%s) safe, agent
        WHERE switchboard_selector_matches(safe.selector, agent.labels, agent.description)
          AND safe.target_hash IS NOT NULL AND agent.capabilities & %d <> 0
        ORDER BY safe.priority DESC, safe.created_at, safe.name LIMIT 1
      ), offered AS (
        %s FROM p WHERE p.message IS NOT NULL AND NOT %s
        RETURNING id, instance_uid, kind, payload, message, deadline, created_by
      ), written AS (
        SELECT * FROM created UNION ALL SELECT * FROM offered
      ), audited AS (
        INSERT INTO audit_events (actor, action, target, after)
        SELECT created_by, 'dispatch.' || lower(kind), 'agent/' || instance_uid,
               jsonb_build_object('envelope', id, 'kind', kind, 'payload', payload - 'config_map', 'deadline', deadline)
        FROM written
      )
      SELECT id, instance_uid, message, deadline FROM written
      """
          .formatted(
              SAFE,
              INSERT.formatted("$1", ACTOR),
              ALREADY.formatted("$1", "w"),
              AssignedPackagesSql.SAFE,
              ACCEPTS_PACKAGES,
              AssignedPackagesSql.INSERT.formatted("$1", ACTOR),
              AssignedPackagesSql.ALREADY.formatted("$1", "p"));

  /**
   * {@link #RESOLVE} for the agents {@code $1} as stored: each one's winning assignment, written
   * where it lacks it. The first envelope of each assignment carries its message; they come grouped
   * by assignment.
   */
  private static final String RESOLVE_STORED =
      """
      WITH described AS (
        SELECT a.instance_uid AS uid, a.labels, a.description,
               coalesce((a.capabilities->>'bits')::bigint, 0) AS capabilities
        FROM agents a WHERE a.instance_uid = ANY($1::text[])
      ), agent AS (
        SELECT * FROM described d
        WHERE NOT EXISTS (SELECT 1 FROM config_overrides o WHERE o.instance_uid = d.uid)
      ), w AS (
        SELECT agent.uid, won.* FROM agent CROSS JOIN LATERAL (
          SELECT safe.* FROM (%s) safe
          WHERE switchboard_selector_matches(safe.selector, agent.labels, agent.description)
          ORDER BY safe.priority DESC, safe.created_at, safe.name LIMIT 1) won
      ), created AS (
        %s FROM w WHERE NOT %s
        RETURNING id, instance_uid, kind, payload, message, deadline, created_by
      ), p AS (
        SELECT described.uid, won.* FROM described CROSS JOIN LATERAL (
          SELECT safe.* FROM (%s) safe
          WHERE switchboard_selector_matches(safe.selector, described.labels, described.description)
            AND safe.target_hash IS NOT NULL
          ORDER BY safe.priority DESC, safe.created_at, safe.name LIMIT 1) won
        WHERE described.capabilities & %d <> 0
      ), offered AS (
        %s FROM p WHERE p.message IS NOT NULL AND NOT %s
        RETURNING id, instance_uid, kind, payload, message, deadline, created_by
      ), written AS (
        SELECT * FROM created UNION ALL SELECT * FROM offered
      ), audited AS (
        INSERT INTO audit_events (actor, action, target, after)
        SELECT created_by, 'dispatch.' || lower(kind), 'agent/' || instance_uid,
               jsonb_build_object('envelope', id, 'kind', kind, 'payload', payload - 'config_map', 'deadline', deadline)
        FROM written
      )
      SELECT id, instance_uid, CASE WHEN n = 1 THEN message END, deadline FROM (
        SELECT written.*, payload->>'assignment' AS assignment,
               row_number() OVER (PARTITION BY kind, payload->>'assignment' ORDER BY id) AS n
        FROM written) c
      ORDER BY kind, assignment, n
      """
          .formatted(
              SAFE,
              INSERT.formatted("w.uid", ACTOR),
              ALREADY.formatted("w.uid", "w"),
              AssignedPackagesSql.SAFE,
              ACCEPTS_PACKAGES,
              AssignedPackagesSql.INSERT.formatted("p.uid", ACTOR),
              AssignedPackagesSql.ALREADY.formatted("p.uid", "p"));

  /**
   * The agents (alias {@code a}) whose winning assignment is {@code w}: it matches them (the
   * selector's conditions, index-served, are added by the caller), no override, and no assignment
   * that wins over it matches them.
   */
  private static final String WON =
      """
      FROM agents a, w
      WHERE NOT EXISTS (SELECT 1 FROM config_overrides o WHERE o.instance_uid = a.instance_uid)
        AND NOT EXISTS (SELECT 1 FROM assignments h
                        WHERE h.name <> w.name AND h.message IS NOT NULL
                          AND (h.priority > w.priority
                               OR (h.priority = w.priority AND (h.created_at, h.name) < (w.created_at, w.name)))
                          AND switchboard_selector_matches(h.selector, a.labels, a.description))
      """;

  private final Sql db;

  public AssignmentResolution(ConnectionPool pool) {
    this.db = new Sql(pool);
  }

  /**
   * Decides one agent's assignment and writes its envelopes if it needs them (its config, and its
   * package set if it accepts packages), in one statement: after a relabel or a cleared override
   * (nulls: what is stored), or from a description and capabilities given as the agents table would
   * keep them (the assignments benchmark times this for agents not stored).
   */
  public CompletionStage<List<AppliedEnvelope>> resolve(
      String instanceUid, String descriptionJson, Long capabilities, Duration deadline) {
    return db.rows(
            RESOLVE,
            statement -> {
              statement.bind(0, instanceUid).bind(1, deadline.toMillis());
              Sql.bindNullable(statement, 2, descriptionJson, String.class);
              Sql.bindNullable(statement, 3, capabilities, Long.class);
            },
            AssignmentResolution::toEnvelope)
        .collectList()
        .toFuture();
  }

  /** As above, with what the agents table keeps of the agent. */
  public CompletionStage<List<AppliedEnvelope>> resolve(String instanceUid, Duration deadline) {
    return resolve(instanceUid, null, null, deadline);
  }

  /**
   * Decides the assignment of agents whose description the status writer has just stored, from
   * their stored rows, in one statement: a connect storm pays one per status flush, not one per
   * agent. It also closes the join race: an assignment's {@link #apply} may run before an agent's
   * row is written, but this statement runs after the row is committed, so it sees every assignment
   * whose apply missed the row. Package sets are decided alike for agents that accept packages.
   * Returns the envelopes written, one list per assignment and kind, whose first envelope carries
   * the message.
   */
  public CompletionStage<List<List<AppliedEnvelope>>> resolveStored(
      List<String> instanceUids, Duration deadline) {
    if (instanceUids.isEmpty()) {
      return java.util.concurrent.CompletableFuture.completedFuture(List.of());
    }
    return db.rows(
            RESOLVE_STORED,
            statement ->
                statement.bind(0, instanceUids.toArray(String[]::new)).bind(1, deadline.toMillis()),
            AssignmentResolution::toEnvelope)
        .collectList()
        .map(AssignmentResolution::byAssignment)
        .toFuture();
  }

  /** Splits rows grouped by assignment where a group's first row carries the message. */
  private static List<List<AppliedEnvelope>> byAssignment(List<AppliedEnvelope> rows) {
    List<List<AppliedEnvelope>> groups = new ArrayList<>();
    for (AppliedEnvelope row : rows) {
      if (row.message() != null || groups.isEmpty()) {
        groups.add(new ArrayList<>());
      }
      groups.get(groups.size() - 1).add(row);
    }
    return groups;
  }

  /**
   * Writes an envelope for every agent the assignment {@code name} wins that does not have its
   * config yet, and one for each such agent accepting packages that lacks its package set, with one
   * audit event for each kind, in one statement. Only the first envelope of each kind carries the
   * message (it is the same for all of that kind); the rows come grouped by kind, that one first.
   */
  public CompletionStage<List<AppliedEnvelope>> apply(
      String name, Selector selector, Duration deadline, String actor) {
    List<Object> parameters = new ArrayList<>(List.of(name, deadline.toMillis(), actor));
    String sql =
        """
        WITH w AS (SELECT * FROM (%s) safe WHERE safe.name = $1),
        created AS (
          %s %s AND NOT %s
          RETURNING id, instance_uid, kind, message, deadline, payload
        ), p AS (SELECT * FROM (%s) safe WHERE safe.name = $1 AND safe.message IS NOT NULL),
        offered AS (
          %s %s AND coalesce((a.capabilities->>'bits')::bigint & %d <> 0, false) AND NOT %s
          RETURNING id, instance_uid, kind, message, deadline, payload
        ), audited AS (
          INSERT INTO audit_events (actor, action, target, after)
          SELECT $3, 'assignment.apply', 'assignment/' || $1,
                 jsonb_build_object('version', min((payload->>'version')::int), 'agents', count(*))
          FROM created HAVING count(*) > 0
        ), audited_packages AS (
          INSERT INTO audit_events (actor, action, target, after)
          SELECT $3, 'assignment.apply', 'assignment/' || $1,
                 jsonb_build_object('all_packages_hash', min(payload->>'all_packages_hash'), 'agents', count(*))
          FROM offered HAVING count(*) > 0
        ), written AS (
          SELECT *, row_number() OVER (PARTITION BY kind ORDER BY id) AS n
          FROM (SELECT * FROM created UNION ALL SELECT * FROM offered) both_kinds
        )
        SELECT id, instance_uid, CASE WHEN n = 1 THEN message END, deadline FROM written ORDER BY kind, n
        """
            .formatted(
                SAFE,
                INSERT.formatted("a.instance_uid", ACTOR),
                WON + selectorConditions(selector, parameters),
                ALREADY.formatted("a.instance_uid", "w"),
                AssignedPackagesSql.SAFE,
                AssignedPackagesSql.INSERT.formatted("a.instance_uid", ACTOR),
                AssignedPackagesSql.WON + selectorConditions(selector, parameters),
                ACCEPTS_PACKAGES,
                AssignedPackagesSql.ALREADY.formatted("a.instance_uid", "p"));
    return db.rows(
            sql, statement -> bindAll(statement, parameters), AssignmentResolution::toEnvelope)
        .collectList()
        .toFuture();
  }

  /**
   * Every agent accepting packages that the assignment {@code name} wins now (overrides of configs
   * aside), in instance_uid order, in one statement: the targets of its package set's rollout.
   */
  public CompletionStage<List<String>> packageWinners(String name, Selector selector) {
    List<Object> parameters = new ArrayList<>(List.of(name));
    String sql =
        "WITH p AS (SELECT * FROM assignments WHERE name = $1) SELECT a.instance_uid "
            + AssignedPackagesSql.WON
            + selectorConditions(selector, parameters)
            + " AND coalesce((a.capabilities->>'bits')::bigint & "
            + ACCEPTS_PACKAGES
            + " <> 0, false) ORDER BY a.instance_uid";
    return db.rows(
            sql, statement -> bindAll(statement, parameters), row -> row.get(0, String.class))
        .collectList()
        .toFuture();
  }

  /**
   * Every agent the assignment {@code name} wins now, in instance_uid order, in one statement: the
   * targets of its version change's rollout.
   */
  public CompletionStage<List<String>> winners(String name, Selector selector) {
    List<Object> parameters = new ArrayList<>(List.of(name));
    String sql =
        "WITH w AS (SELECT * FROM assignments WHERE name = $1) SELECT a.instance_uid "
            + WON
            + selectorConditions(selector, parameters)
            + " ORDER BY a.instance_uid";
    return db.rows(
            sql, statement -> bindAll(statement, parameters), row -> row.get(0, String.class))
        .collectList()
        .toFuture();
  }

  private static String selectorConditions(Selector selector, List<Object> parameters) {
    List<String> conditions = new ArrayList<>();
    selector.addConditions(conditions, parameters, "a.");
    return conditions.stream().map(condition -> " AND " + condition).reduce("", String::concat);
  }

  private static void bindAll(Statement statement, List<Object> parameters) {
    for (int i = 0; i < parameters.size(); i++) {
      statement.bind(i, parameters.get(i));
    }
  }

  private static AppliedEnvelope toEnvelope(Readable row) {
    return new AppliedEnvelope(
        row.get(0, UUID.class),
        row.get(1, String.class),
        Sql.bytes(row.get(2, ByteBuffer.class)),
        Sql.instant(row, 3));
  }
}
