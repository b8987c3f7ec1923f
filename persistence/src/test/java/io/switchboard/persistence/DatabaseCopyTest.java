package io.switchboard.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testkit.FleetTable;
import io.switchboard.testkit.TestDatabase;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DatabaseCopyTest {

  @Test
  void everyRowMovesToTheOtherDatabaseWhichMustBeEmpty() {
    try (TestDatabase embedded = TestDatabase.start();
        TestDatabase external = TestDatabase.start()) {
      // The copy migrates the target itself; the source is a node's database, migrated.
      Database.migrate(endpoint(embedded));
      FleetTable.fill(embedded, 5_000);
      embedded.execute(
          "INSERT INTO agent_status_history (instance_uid, recorded_at, state_version, connection_state, session_epoch)"
              + " SELECT instance_uid, first_seen, 1, connection_state, 1 FROM agents");
      embedded.execute("INSERT INTO configurations (name, created_by) VALUES ('collector', 'ops')");
      embedded.execute(
          "INSERT INTO configuration_versions (name, version, state, config_map, config_hash, created_by)"
              + " VALUES ('collector', 1, 'PUBLISHED', '{}', '\\x01', 'ops')");
      embedded.execute(
          "INSERT INTO dispatch_envelopes (id, instance_uid, kind, payload, message, state, deadline, created_by)"
              + " SELECT gen_random_uuid(), instance_uid, 'RESTART', '{}', '\\x00', 'SENT', now(), 'ops' FROM agents LIMIT 10");
      embedded.execute(
          "INSERT INTO audit_events (actor, action, target) VALUES ('ops', 'configuration.create', 'configuration/collector')");

      Map<String, Long> copied = DatabaseCopy.copy(endpoint(embedded), endpoint(external));

      assertEquals(5_000L, copied.get("agents"));
      assertEquals(5_000L, copied.get("agent_status_history"));
      assertEquals(1L, copied.get("configuration_versions"));
      assertEquals(10L, copied.get("dispatch_envelopes"));
      assertEquals(1L, copied.get("audit_events"));
      external.execute(
          "INSERT INTO audit_events (actor, action, target) VALUES ('ops', 'after.move', 'x')");
      assertEquals(
          "2",
          external.queryForString("SELECT max(id) FROM audit_events"),
          "new events number on after the copied ones");
      assertEquals(
          embedded.queryForString(
              "SELECT md5(string_agg(a::text, ',' ORDER BY instance_uid)) FROM agents a"),
          external.queryForString(
              "SELECT md5(string_agg(a::text, ',' ORDER BY instance_uid)) FROM agents a"),
          "identical rows");
      IllegalStateException again =
          assertThrows(
              IllegalStateException.class,
              () -> DatabaseCopy.copy(endpoint(embedded), endpoint(external)));
      assertTrue(again.getMessage().contains("already holds 5000 agents"));
    }
  }

  private static DatabaseEndpoint endpoint(TestDatabase db) {
    return DatabaseEndpoint.parse(db.url(), "", "");
  }
}
