package io.switchboard.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.testkit.HttpProbe;
import io.switchboard.testkit.TestDatabase;
import io.switchboard.testkit.TestNodes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A lost admin password is reset from the node's command line, with the node's settings. */
class ResetPasswordTest {

  @Test
  void resetsTheAdminsPasswordIntoTheDataDirectoryAndEndsItsSessions() throws Exception {
    try (TestDatabase db = TestDatabase.start()) {
      Path dataDir = TestNodes.newDataDir();
      Map<String, Object> settings =
          Map.of(
              "switchboard.database.url",
              db.url(),
              "switchboard.api.auth.enabled",
              true,
              "switchboard.api.auth.admin-password",
              "a password nobody remembers");
      try (SwitchboardNode node = SwitchboardNode.start(TestNodes.config(dataDir, settings))) {
        assertFalse(Files.exists(dataDir.resolve("admin-password")), "a configured password");
        assertTrue(ResetPassword.run(TestNodes.config(dataDir, settings), "admin"));
        Path file = dataDir.resolve("admin-password");
        assertEquals(
            "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        String fresh = Files.readString(file).trim();
        assertEquals(
            200,
            HttpProbe.send(
                    node.apiPort(),
                    "POST",
                    "/api/session",
                    "{\"username\": \"admin\", \"password\": \"" + fresh + "\"}")
                .statusCode());
        assertEquals(
            401,
            HttpProbe.send(
                    node.apiPort(),
                    "POST",
                    "/api/session",
                    "{\"username\": \"admin\", \"password\": \"a password nobody remembers\"}")
                .statusCode());
        assertEquals(
            "command line",
            db.queryForString("SELECT actor FROM audit_events WHERE action = 'operator.password'"));
        assertFalse(ResetPassword.run(TestNodes.config(dataDir, settings), "nobody"));
      }
    }
  }
}
