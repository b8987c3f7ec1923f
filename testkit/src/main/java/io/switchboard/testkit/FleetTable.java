package io.switchboard.testkit;

import java.util.Collection;

/**
 * A synthetic fleet in the agents table, made by PostgreSQL itself in one statement: agent i is
 * disconnected when i % 10 = 0, unhealthy when i % 50 = 0, failed its config when i % 20 = 0, runs
 * service "svc-(i % 100)" on linux (even i) or windows (odd i), and was first seen i seconds ago.
 * The table must exist: open the database (which migrates it) first.
 */
public final class FleetTable {

  private FleetTable() {}

  public static void fill(TestDatabase db, int agents) {
    db.execute("TRUNCATE agents");
    db.execute(
        """
        INSERT INTO agents (instance_uid, state_version, connection_state, last_seen, sequence_num, session_epoch,
                            description, health, remote_config_status, first_seen)
        SELECT md5(i::text)::uuid::text, 1,
               CASE WHEN i % 10 = 0 THEN 'DISCONNECTED' ELSE 'CONNECTED' END,
               now(), i, 1,
               jsonb_build_object(
                 'identifying_attributes', jsonb_build_object('service.name', 'svc-' || (i % 100)),
                 'non_identifying_attributes', jsonb_build_object('os.type', CASE WHEN i % 2 = 0 THEN 'linux' ELSE 'windows' END)),
               jsonb_build_object('healthy', i % 50 <> 0),
               jsonb_build_object('status', CASE WHEN i % 20 = 0 THEN 'FAILED' ELSE 'APPLIED' END),
               now() - make_interval(secs => i)
        FROM generate_series(1, AGENTS) AS i
        """
            .replace("AGENTS", Integer.toString(agents)));
    db.execute("ANALYZE agents");
  }

  /**
   * Adds agents that connected once and reported nothing more, as far as they are not there yet.
   */
  public static void reported(TestDatabase db, Collection<String> instanceUids) {
    db.queryForString(
        """
        WITH added AS (
          INSERT INTO agents (instance_uid, state_version, connection_state, last_seen, sequence_num, session_epoch)
          SELECT uid, 1, 'CONNECTED', now(), 0, 1 FROM unnest(?::text[]) AS uid
          ON CONFLICT (instance_uid) DO NOTHING
          RETURNING 1)
        SELECT count(*) FROM added
        """,
        (Object) instanceUids.toArray(String[]::new));
  }
}
