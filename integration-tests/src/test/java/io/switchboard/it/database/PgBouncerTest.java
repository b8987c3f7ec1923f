package io.switchboard.it.database;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.switchboard.node.SwitchboardNode;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.opamp.proto.CommandType;
import io.switchboard.testkit.AgentMessages;
import io.switchboard.testkit.HttpProbe;
import io.switchboard.testkit.PgBouncer;
import io.switchboard.testkit.RawAgent;
import io.switchboard.testkit.TestDatabase;
import io.switchboard.testkit.TestNodes;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A node whose database sits behind PgBouncer in transaction mode, with two server connections for
 * the node's eight client connections. Everything the node does with PostgreSQL (migrations from an
 * empty database, shard leases, batched status writes, the API's keyset pages, dispatch envelopes,
 * the audit log) must then work without session state or prepared statements kept across
 * transactions, since consecutive transactions of one client connection run on whichever server
 * connection is free.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PgBouncerTest {

  private static final int SERVER_CONNECTIONS = 2;
  private static final int AGENTS = 6;

  private TestDatabase database;
  private PgBouncer bouncer;
  private SwitchboardNode node;

  @BeforeAll
  void start() throws IOException {
    // Empty: the node migrates it, through PgBouncer.
    database = TestDatabase.start();
    bouncer = PgBouncer.start(database, SERVER_CONNECTIONS);
    node =
        SwitchboardNode.start(
            TestNodes.config(
                Map.of(
                    "switchboard.database.url", bouncer.url(),
                    "switchboard.database.pool.initial-size", 8,
                    "switchboard.database.pool.max-size", 8)));
  }

  @AfterAll
  void stop() throws IOException {
    node.close();
    bouncer.close();
    database.close();
  }

  @Test
  void aNodeWorksThroughPgBouncerInTransactionMode() throws Exception {
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> assertEquals(200, HttpProbe.get(node.managementPort(), "/ready").statusCode()));
    assertEquals(
        String.valueOf(count("SELECT count(*) FROM flyway_schema_history WHERE success")),
        String.valueOf(count("SELECT count(*) FROM flyway_schema_history")),
        "every migration ran through PgBouncer");

    List<ByteString> uids = new ArrayList<>();
    List<RawAgent> agents = new ArrayList<>();
    try {
      for (int i = 0; i < AGENTS; i++) {
        uids.add(AgentMessages.newUid());
        RawAgent agent = RawAgent.connect(node.opampPort());
        agents.add(agent);
        // Accepts the restart command (0x400) besides reporting status.
        agent.send(
            AgentMessages.fullState(uids.get(i), 1, "behind-pgbouncer").toBuilder()
                .setCapabilities(0x1 | 0x400)
                .build());
        assertEquals(
            uids.get(i), agent.receive().getInstanceUid(), "served: its shard's lease was taken");
      }
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  count(
                          "SELECT count(*) FROM agents WHERE connection_state = 'CONNECTED'"
                              + " AND description->'identifying_attributes'->>'service.name' = 'behind-pgbouncer'")
                      == AGENTS);

      Set<String> listed = new HashSet<>();
      String page = "/api/agents?connection_state=CONNECTED&limit=4";
      JsonNode first = HttpProbe.getJson(node.apiPort(), page);
      first.path("agents").forEach(agent -> listed.add(agent.path("instance_uid").asText()));
      HttpProbe.getJson(node.apiPort(), page + "&after=" + first.path("next").asText())
          .path("agents")
          .forEach(agent -> listed.add(agent.path("instance_uid").asText()));
      assertEquals(AGENTS, listed.size(), "two keyset pages list every agent once: " + listed);

      String agentPath = "/api/agents/" + InstanceUid.toText(uids.get(0));
      var accepted = HttpProbe.send(node.apiPort(), "POST", agentPath + "/restart", "");
      assertEquals(202, accepted.statusCode(), accepted.body());
      assertEquals(CommandType.CommandType_Restart, agents.get(0).receive().getCommand().getType());
      String dispatch = new ObjectMapper().readTree(accepted.body()).path("id").asText();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  "SENT"
                      .equals(
                          HttpProbe.getJson(node.apiPort(), "/api/envelopes/" + dispatch)
                              .path("state")
                              .asText()));
      assertTrue(
          HttpProbe.getJson(node.apiPort(), "/api/audit")
              .path("events")
              .toString()
              .contains(InstanceUid.toText(uids.get(0))),
          "the restart is in the audit log");
    } finally {
      for (RawAgent agent : agents) {
        agent.close();
      }
    }

    // Every node connection goes through PgBouncer, which holds at most two to PostgreSQL (this
    // test's own connection for the count is the one more).
    assertTrue(
        count("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'")
            <= SERVER_CONNECTIONS + 1,
        "PgBouncer kept to its server connections");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertEquals(
                    8.0,
                    HttpProbe.metric(
                            node.metricsPort(),
                            "switchboard_database_pool_connections{state=\"idle\",pool=\"write\"}")
                        .orElse(0),
                    "the node's pool holds eight client connections on those two"));
  }

  private long count(String sql) throws SQLException {
    try (Connection connection = database.connect();
        ResultSet result = connection.createStatement().executeQuery(sql)) {
      result.next();
      return result.getLong(1);
    }
  }
}
