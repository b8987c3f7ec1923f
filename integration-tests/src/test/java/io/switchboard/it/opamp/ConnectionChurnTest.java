package io.switchboard.it.opamp;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.switchboard.cluster.agent.AgentEntity;
import io.switchboard.node.SwitchboardNode;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.opamp.proto.AgentToServer;
import io.switchboard.testkit.HttpProbe;
import io.switchboard.testkit.RawAgent;
import io.switchboard.testkit.TestNodes;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.Test;

/** A thousand agents come and go: nothing of them is left behind on the node. */
class ConnectionChurnTest {

  private static final int AGENTS = 1000;
  private static final String WEBSOCKET_SESSIONS =
      "switchboard_active_sessions{transport=\"websocket\"}";

  @Test
  void aThousandAgentsConnectingAndLeavingLeaveNoSessionsOrEntitiesBehind() throws Exception {
    try (SwitchboardNode node =
        SwitchboardNode.start(
            TestNodes.config(Map.of("switchboard.agent.idle-passivation", "1s")))) {
      double baseline = HttpProbe.metric(node.metricsPort(), WEBSOCKET_SESSIONS).orElse(0);

      ExecutorService connectors = Executors.newFixedThreadPool(16);
      List<RawAgent> agents = new ArrayList<>();
      try {
        List<Future<RawAgent>> connecting = new ArrayList<>();
        for (int i = 0; i < AGENTS; i++) {
          connecting.add(connectors.submit(() -> connectAndReport(node.opampPort())));
        }
        for (Future<RawAgent> agent : connecting) {
          agents.add(agent.get(60, TimeUnit.SECONDS));
        }
      } finally {
        connectors.shutdown();
      }
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  HttpProbe.metric(node.metricsPort(), WEBSOCKET_SESSIONS).orElse(0)
                      == baseline + AGENTS);
      assertEquals(AGENTS, entities(node));

      agents.forEach(RawAgent::close);

      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  HttpProbe.metric(node.metricsPort(), WEBSOCKET_SESSIONS).orElse(-1) == baseline);
      await().atMost(Duration.ofSeconds(30)).until(() -> entities(node) == 0);
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertEquals(0, connectedRows(node)));
    }
  }

  private static RawAgent connectAndReport(int port) throws Exception {
    RawAgent agent = RawAgent.connect(port);
    ByteString uid = InstanceUid.toBytes(UUID.randomUUID().toString());
    agent.send(
        AgentToServer.newBuilder()
            .setInstanceUid(uid)
            .setSequenceNum(1)
            .setCapabilities(1)
            .build());
    agent.receive();
    return agent;
  }

  /** Agent entities alive on the node, from the shard region itself. */
  private static int entities(SwitchboardNode node) throws Exception {
    ShardRegion.CurrentShardRegionState state =
        AskPattern
            .<org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery,
                ShardRegion.CurrentShardRegionState>
                ask(
                    ClusterSharding.get(node.system()).shardState(),
                    replyTo -> new GetShardRegionState(AgentEntity.TYPE_KEY, replyTo),
                    Duration.ofSeconds(5),
                    node.system().scheduler())
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    return state.getShards().stream().mapToInt(shard -> shard.getEntityIds().size()).sum();
  }

  private static int connectedRows(SwitchboardNode node) throws Exception {
    var endpoint = node.database().endpoint();
    try (var connection =
            DriverManager.getConnection(endpoint.jdbcUrl(), endpoint.user(), endpoint.password());
        var result =
            connection
                .createStatement()
                .executeQuery("SELECT count(*) FROM agents WHERE connection_state = 'CONNECTED'")) {
      result.next();
      return result.getInt(1);
    }
  }
}
