package io.switchboard.node;

import static io.switchboard.testkit.AgentMessages.fullState;
import static io.switchboard.testkit.AgentMessages.newUid;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.persistence.EmbeddedDatabase;
import io.switchboard.testkit.FreePorts;
import io.switchboard.testkit.HttpProbe;
import io.switchboard.testkit.RawAgent;
import io.switchboard.testkit.TestNodes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A node on its embedded PostgreSQL, started as an operator would (its own JVM, no database
 * configured) and stopped with SIGTERM: what it writes while shutting down reaches the database
 * before the database stops.
 */
@Tag("slow")
class EmbeddedNodeShutdownTest {

  @Test
  void aNodeStoppedWithSigtermWritesItsAgentsDisconnectedBeforeItsDatabaseStops() throws Exception {
    Path dataDir = Files.createTempDirectory("switchboard-shutdown");
    int opampPort = FreePorts.next();
    int apiPort = FreePorts.next();
    Path log = Path.of("target", "embedded-node-shutdown.log");
    ProcessBuilder builder = TestNodes.nodeProcess(log, List.of("-Xmx256m"));
    Map<String, String> env = builder.environment();
    env.remove("SWITCHBOARD_DATABASE_URL");
    env.put("SWITCHBOARD_DATA_DIR", dataDir.toString());
    env.put("SWITCHBOARD_EMBEDDED_DATABASE_PORT", Integer.toString(FreePorts.next()));
    env.put("SWITCHBOARD_OPAMP_PORT", Integer.toString(opampPort));
    env.put("SWITCHBOARD_API_PORT", Integer.toString(apiPort));
    env.put("SWITCHBOARD_METRICS_PORT", Integer.toString(FreePorts.next()));
    env.put("SWITCHBOARD_MANAGEMENT_PORT", Integer.toString(FreePorts.next()));
    // Alone in its cluster: remoting on any free port, not the default 7355.
    env.put("SWITCHBOARD_REMOTE_PORT", "0");
    env.put("SWITCHBOARD_AUTH_ENABLED", "false");
    Process node = builder.start();
    String uid;
    try {
      await()
          .atMost(Duration.ofSeconds(120))
          .ignoreExceptions()
          .until(() -> node.isAlive() && HttpProbe.get(apiPort, "/api/health").statusCode() == 200);
      ByteString rawUid = newUid();
      uid = InstanceUid.toText(rawUid);
      RawAgent agent = RawAgent.connect(opampPort);
      agent.send(fullState(rawUid, 1, "shutdown"));
      agent.receive(Duration.ofSeconds(30));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  HttpProbe.getJson(apiPort, "/api/agents/" + uid)
                      .path("connection_state")
                      .asText()
                      .equals("CONNECTED"));
    } finally {
      node.destroy();
    }
    assertEquals(true, node.waitFor(90, TimeUnit.SECONDS), "the node exits after SIGTERM");

    try (EmbeddedDatabase database =
            EmbeddedDatabase.start(dataDir.resolve("postgres"), FreePorts.next());
        Connection connection =
            DriverManager.getConnection(
                database.endpoint().jdbcUrl(),
                database.endpoint().user(),
                database.endpoint().password());
        PreparedStatement query =
            connection.prepareStatement(
                "SELECT connection_state FROM agents WHERE instance_uid = ?")) {
      query.setString(1, uid);
      try (ResultSet row = query.executeQuery()) {
        assertEquals(true, row.next(), "the agent's row");
        assertEquals(
            "DISCONNECTED", row.getString(1), "the node's last write, made while it shut down");
      }
    }
  }
}
