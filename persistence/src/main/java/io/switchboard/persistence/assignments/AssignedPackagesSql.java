package io.switchboard.persistence.assignments;

/**
 * The SQL by which {@link AssignmentResolution} offers agents their assignment's package set: the
 * winning assignment is decided as for configurations, except that an operator's config override
 * does not hold packages back, and only assignments that offer packages take part; the agent gets a
 * PACKAGES envelope unless its latest open or applied one already offers the same {@code
 * all_packages_hash} (or, mid-rollout, the set the rollout already gave it).
 */
final class AssignedPackagesSql {

  private AssignedPackagesSql() {}

  /**
   * Each assignment's package set as agents get it now (message null: none yet, while its first set
   * rolls out); {@code target_hash} null: it offers no packages, and takes no part.
   */
  static final String SAFE =
      """
      SELECT s.name, s.priority, s.created_at, s.selector, pf.in_flight,
             s.packages_hash AS target_hash,
             CASE WHEN pf.in_flight THEN s.previous_packages_hash ELSE s.packages_hash END AS packages_hash,
             CASE WHEN pf.in_flight THEN s.previous_packages ELSE s.packages END AS packages,
             CASE WHEN pf.in_flight THEN s.previous_packages_message ELSE s.packages_message END AS message
      FROM assignments s
      LEFT JOIN rollouts pr ON pr.id = s.packages_rollout_id
      CROSS JOIN LATERAL (SELECT s.packages_rollout_id IS NOT NULL
                                 AND pr.state IS DISTINCT FROM 'COMPLETED' AS in_flight) pf
      """;

  /** The agent {@code %1$s}'s latest package offer already is what {@code %2$s} gives. */
  static final String ALREADY =
      """
      EXISTS (SELECT 1 FROM (SELECT e.payload FROM dispatch_envelopes e
                             WHERE e.instance_uid = %1$s AND e.kind = 'PACKAGES'
                               AND e.state IN ('PENDING', 'SENT', 'APPLIED')
                             ORDER BY e.created_at DESC LIMIT 1) c
              WHERE c.payload->>'all_packages_hash' = %2$s.packages_hash
                 OR (%2$s.in_flight AND c.payload->>'all_packages_hash' = %2$s.target_hash))
      """;

  /** Writes PACKAGES envelopes for agent {@code %s}, as {@code %s}, from rows of {@code p}. */
  static final String INSERT =
      """
      INSERT INTO dispatch_envelopes (id, instance_uid, kind, payload, message, state, deadline, created_by)
      SELECT gen_random_uuid(), %s, 'PACKAGES',
             jsonb_build_object('assignment', p.name, 'packages', p.packages,
                                'all_packages_hash', p.packages_hash),
             p.message, 'PENDING', now() + $2 * interval '1 millisecond', '%s'
      """;

  /**
   * The agents (alias {@code a}) whose winning assignment is {@code p}: no assignment that wins
   * over it matches them (overrides are of configs: they do not count here).
   */
  static final String WON =
      """
      FROM agents a, p
      WHERE NOT EXISTS (SELECT 1 FROM assignments h
                        WHERE h.name <> p.name AND h.packages IS NOT NULL
                          AND (h.priority > p.priority
                               OR (h.priority = p.priority AND (h.created_at, h.name) < (p.created_at, p.name)))
                          AND switchboard_selector_matches(h.selector, a.labels, a.description))
      """;
}
