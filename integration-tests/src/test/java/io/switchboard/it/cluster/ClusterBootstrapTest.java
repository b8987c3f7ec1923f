package io.switchboard.it.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.node.SwitchboardNode;
import io.switchboard.testkit.FreePorts;
import io.switchboard.testkit.HttpProbe;
import io.switchboard.testkit.TestDatabase;
import io.switchboard.testkit.TestNodes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Three nodes with no seed nodes find each other through discovery and form one cluster. */
class ClusterBootstrapTest {

  @Test
  void nodesFormOneClusterThroughConfigDiscovery() throws Exception {
    List<Integer> managementPorts = List.of(FreePorts.next(), FreePorts.next(), FreePorts.next());
    String endpoints =
        managementPorts.stream().map(port -> "127.0.0.1:" + port).collect(Collectors.joining(","));
    List<SwitchboardNode> nodes = new ArrayList<>();
    try (TestDatabase database = TestDatabase.start()) {
      try {
        for (int port : managementPorts) {
          nodes.add(
              SwitchboardNode.start(
                  TestNodes.config(
                      Map.of(
                          "switchboard.database.url",
                          database.url(),
                          "switchboard.cluster.formation",
                          "bootstrap",
                          "switchboard.cluster.discovery-endpoints",
                          endpoints,
                          "pekko.management.http.port",
                          port,
                          "pekko.management.cluster.bootstrap.contact-point-discovery.discovery-method",
                          "config",
                          "pekko.management.cluster.bootstrap.contact-point-discovery.required-contact-point-nr",
                          3,
                          "pekko.management.cluster.bootstrap.contact-point-discovery.stable-margin",
                          "1s",
                          "pekko.cluster.jmx.multi-mbeans-in-same-jvm",
                          "on"))));
        }

        await()
            .atMost(Duration.ofSeconds(60))
            .untilAsserted(
                () -> {
                  for (SwitchboardNode node : nodes) {
                    assertEquals(
                        3, TestCluster.upMembers(node), "every node sees three Up members");
                  }
                });
        for (SwitchboardNode node : nodes) {
          await()
              .atMost(Duration.ofSeconds(20))
              .until(() -> HttpProbe.get(node.managementPort(), "/ready").statusCode() == 200);
        }
      } finally {
        for (int i = nodes.size() - 1; i >= 0; i--) {
          nodes.get(i).close();
        }
      }
    }
  }
}
