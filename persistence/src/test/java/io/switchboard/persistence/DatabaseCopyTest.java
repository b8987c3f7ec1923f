package io.switchboard.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.persistence.testing.FleetTable;
import io.switchboard.persistence.testing.TestDatabase;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DatabaseCopyTest {

  @Test
  void everyRowMovesToTheOtherDatabaseWhichMustBeEmpty() {
    try (TestDatabase embedded = TestDatabase.start();
        TestDatabase external = TestDatabase.start()) {
      FleetTable.fill(embedded, 5_000);
      embedded.execute(
          "INSERT INTO agent_status_history (instance_uid, recorded_at, state_version, connection_state, session_epoch)"
              + " SELECT instance_uid, first_seen, 1, connection_state, 1 FROM agents");

      Map<String, Long> copied = DatabaseCopy.copy(embedded.endpoint(), external.endpoint());

      assertEquals(Map.of("agents", 5_000L, "agent_status_history", 5_000L), copied);
      assertEquals(
          embedded.queryForString("SELECT md5(string_agg(a::text, ',' ORDER BY instance_uid)) FROM agents a"),
          external.queryForString("SELECT md5(string_agg(a::text, ',' ORDER BY instance_uid)) FROM agents a"),
          "identical rows");
      IllegalStateException again =
          assertThrows(IllegalStateException.class, () -> DatabaseCopy.copy(embedded.endpoint(), external.endpoint()));
      assertTrue(again.getMessage().contains("already holds 5000 agents"));
    }
  }
}
