package io.switchboard.it.database;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.switchboard.node.SwitchboardNode;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.testkit.AgentMessages;
import io.switchboard.testkit.HttpProbe;
import io.switchboard.testkit.RawAgent;
import io.switchboard.testkit.TestDatabase;
import io.switchboard.testkit.TestNodes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A node whose external PostgreSQL stops for a while: its agents are answered all along, the node
 * reports itself not ready, and their latest state is written once the database is back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DatabaseOutageTest {

  private TestDatabase external;
  private SwitchboardNode node;

  @BeforeAll
  void start() {
    external = TestDatabase.start();
    node =
        SwitchboardNode.start(
            TestNodes.config(
                Map.of(
                    "switchboard.database.url",
                    "postgresql://"
                        + external.host()
                        + ":"
                        + external.port()
                        + "/"
                        + external.databaseName(),
                    "switchboard.database.user",
                    external.user(),
                    "switchboard.status-writer.retry-backoff-min",
                    "50ms",
                    "switchboard.status-writer.retry-backoff-max",
                    "200ms",
                    "switchboard.status-writer.not-ready-after-failures",
                    3)));
  }

  @AfterAll
  void stop() {
    node.close();
    external.close();
  }

  @Test
  void agentsAreServedThroughADatabaseOutageAndTheirLatestStateIsWrittenAfterIt() throws Exception {
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> assertEquals(200, HttpProbe.get(node.managementPort(), "/ready").statusCode()));
    int count = 20;
    List<ByteString> uids = new ArrayList<>();
    List<RawAgent> agents = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        uids.add(AgentMessages.newUid());
        agents.add(RawAgent.connect(node.opampPort()));
        agents.get(i).send(AgentMessages.fullState(uids.get(i), 1, "before-outage"));
        agents.get(i).receive();
      }
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> servicesNamed("before-outage", uids) == count);

      // Shorter than the shard lease's TTL: a longer outage stops the shards, by design (the lease
      // is what keeps an entity on one node).
      external.stopServer();
      try {
        for (int i = 0; i < count; i++) {
          agents.get(i).send(AgentMessages.fullState(uids.get(i), 2, "during-outage"));
          assertEquals(
              uids.get(i),
              agents.get(i).receive().getInstanceUid(),
              "answered while the database is down");
        }
        await()
            .atMost(Duration.ofSeconds(20))
            .untilAsserted(
                () ->
                    assertTrue(HttpProbe.get(node.managementPort(), "/ready").statusCode() >= 500));
        for (int i = 0; i < count; i++) {
          agents.get(i).send(AgentMessages.heartbeat(uids.get(i), 3));
          assertEquals(
              uids.get(i),
              agents.get(i).receive().getInstanceUid(),
              "still answered once writes have failed");
        }
      } finally {
        external.startServer();
      }

      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> servicesNamed("during-outage", uids) == count);
      assertEquals(
          String.valueOf(count),
          external.queryForString(
              "SELECT count(*) FROM agents WHERE connection_state = 'CONNECTED' AND instance_uid = ANY(?)",
              (Object) uids.stream().map(InstanceUid::toText).toArray(String[]::new)));
    } finally {
      for (RawAgent agent : agents) {
        agent.close();
      }
    }
  }

  /** How many of the agents' rows carry the service name. */
  private int servicesNamed(String serviceName, List<ByteString> uids) {
    return Integer.parseInt(
        external.queryForString(
            "SELECT count(*) FROM agents WHERE description->'identifying_attributes'->>'service.name' = ?"
                + " AND instance_uid = ANY(?)",
            serviceName,
            uids.stream().map(InstanceUid::toText).toArray(String[]::new)));
  }
}
