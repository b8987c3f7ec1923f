package io.switchboard.it.cluster;

import static io.switchboard.testkit.AgentMessages.fullState;
import static io.switchboard.testkit.AgentMessages.newUid;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.switchboard.node.SwitchboardNode;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.opamp.proto.CommandType;
import io.switchboard.testkit.HttpProbe;
import io.switchboard.testkit.RawAgent;
import io.switchboard.testkit.TestDatabase;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Three nodes in one JVM sharing one PostgreSQL: an agent's socket on node A, its entity wherever
 * sharding put it (node B here), and an operator's command entering on node C all meet.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterDeliveryTest {

  private static final String FORWARDED =
      "switchboard_dispatch_deliveries_total{route=\"forwarded\"}";

  private TestDatabase database;
  private SwitchboardNode a;
  private SwitchboardNode b;
  private SwitchboardNode c;

  @BeforeAll
  void startCluster() {
    database = TestDatabase.start();
    a = SwitchboardNode.start(TestCluster.nodeConfig(database.url(), List.of(), Map.of()));
    String seed = TestCluster.address(a);
    b = SwitchboardNode.start(TestCluster.nodeConfig(database.url(), List.of(seed), Map.of()));
    // As SWITCHBOARD_SEED_NODES would set it: one comma-separated string.
    c =
        SwitchboardNode.start(
            TestCluster.nodeConfig(
                database.url(),
                List.of(),
                Map.of(
                    "switchboard.cluster.seed-nodes",
                    seed,
                    "switchboard.cluster.join-self",
                    false)));
    await().atMost(Duration.ofSeconds(30)).until(() -> TestCluster.upMembers(a) == 3);
    // New shards go to the region with the fewest; wait until all three regions take part.
    await().atMost(Duration.ofSeconds(30)).until(() -> TestCluster.shardRegions(a) == 3);
  }

  @AfterAll
  void stopCluster() {
    for (SwitchboardNode node : new SwitchboardNode[] {c, b, a}) {
      if (node != null) {
        node.close();
      }
    }
    database.close();
  }

  @Test
  void aCommandSubmittedOnOneNodeReachesAnAgentConnectedToAnotherThroughItsEntityOnAThird()
      throws Exception {
    Map<String, RawAgent> agents = new LinkedHashMap<>();
    try {
      for (int i = 0; i < 24; i++) {
        ByteString uid = newUid();
        RawAgent agent = RawAgent.connect(a.opampPort());
        agent.send(fullState(uid, 1, "clustered").toBuilder().setCapabilities(0x1 | 0x400).build());
        agent.receive();
        agents.put(InstanceUid.toText(uid), agent);
      }
      Set<String> onB = TestCluster.entitiesOn(b);
      String target =
          agents.keySet().stream()
              .filter(onB::contains)
              .findFirst()
              .orElseThrow(() -> new AssertionError("sharding placed none of 24 agents on node B"));
      double forwardedBefore = HttpProbe.metric(c.metricsPort(), FORWARDED).orElse(0);

      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> HttpProbe.get(c.apiPort(), "/api/agents/" + target).statusCode() == 200);
      var accepted = HttpProbe.send(c.apiPort(), "POST", "/api/agents/" + target + "/restart", "");

      assertEquals(202, accepted.statusCode(), accepted.body());
      assertEquals(
          CommandType.CommandType_Restart, agents.get(target).receive().getCommand().getType());
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> HttpProbe.metric(c.metricsPort(), FORWARDED).orElse(0) >= forwardedBefore + 1);
      assertTrue(
          HttpProbe.getJson(c.apiPort(), "/api/agents/" + target)
              .path("owner_node")
              .asText()
              .endsWith(
                  String.valueOf(Cluster.get(a.system()).selfMember().address().getPort().get())),
          "the API shows node A as the owner of the agent's session");
      assertTrue(
          Integer.parseInt(
                  database.queryForString(
                      "SELECT count(DISTINCT owner) FROM leases WHERE expires_at > now()"))
              >= 2,
          "the shards run under PostgreSQL leases held by more than one node");
    } finally {
      agents.values().forEach(RawAgent::close);
    }
  }
}
