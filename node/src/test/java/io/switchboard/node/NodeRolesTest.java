package io.switchboard.node;

import static io.switchboard.testkit.AgentMessages.fullState;
import static io.switchboard.testkit.AgentMessages.newUid;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import com.typesafe.config.ConfigFactory;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.opamp.proto.CommandType;
import io.switchboard.testkit.HttpProbe;
import io.switchboard.testkit.RawAgent;
import io.switchboard.testkit.TestDatabase;
import io.switchboard.testkit.TestNodes;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;

/** An agent-facing node and an operator-facing node, each serving only its side. */
class NodeRolesTest {

  @Test
  void operatorsOnOneNodeReachAgentsHeldByAnother() throws Exception {
    try (TestDatabase database = TestDatabase.start();
        SwitchboardNode agentsNode = SwitchboardNode.start(config(database, "agents", List.of()))) {
      String seed = Cluster.get(agentsNode.system()).selfMember().address().toString();
      try (SwitchboardNode operatorsNode =
              SwitchboardNode.start(config(database, "operators", List.of(seed)));
          RawAgent agent = RawAgent.connect(agentsNode.opampPort())) {
        assertEquals(
            SwitchboardNode.NOT_BOUND, agentsNode.apiPort(), "no operator API on the agents node");
        assertEquals(
            SwitchboardNode.NOT_BOUND,
            operatorsNode.opampPort(),
            "no OpAMP endpoint on the operators node");

        ByteString uid = newUid();
        agent.send(fullState(uid, 1, "split").toBuilder().setCapabilities(0x1 | 0x400).build());
        agent.receive();
        String path = "/api/agents/" + InstanceUid.toText(uid);
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> HttpProbe.get(operatorsNode.apiPort(), path).statusCode() == 200);

        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    HttpProbe.send(operatorsNode.apiPort(), "POST", path + "/restart", "")
                            .statusCode()
                        == 202);
        assertEquals(CommandType.CommandType_Restart, agent.receive().getCommand().getType());
        for (SwitchboardNode node : List.of(agentsNode, operatorsNode)) {
          await()
              .atMost(Duration.ofSeconds(20))
              .until(() -> HttpProbe.get(node.managementPort(), "/ready").statusCode() == 200);
        }
      }
    }
  }

  @Test
  void unknownRolesAreRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                NodeRoles.apply(
                    ConfigFactory.parseString("switchboard.roles = \"agents,dashboards\"")));
    assertEquals(true, e.getMessage().contains("dashboards"));
  }

  private static com.typesafe.config.Config config(
      TestDatabase database, String roles, List<String> seeds) {
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("switchboard.database.url", database.url());
    settings.put("switchboard.roles", roles);
    settings.put("pekko.cluster.seed-nodes", seeds);
    settings.put("switchboard.cluster.join-self", seeds.isEmpty());
    settings.put("pekko.cluster.jmx.multi-mbeans-in-same-jvm", "on");
    return TestNodes.config(settings);
  }
}
