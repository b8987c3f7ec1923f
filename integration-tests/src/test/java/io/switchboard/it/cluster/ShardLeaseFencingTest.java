package io.switchboard.it.cluster;

import static io.switchboard.testkit.AgentMessages.fullState;
import static io.switchboard.testkit.AgentMessages.newUid;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.switchboard.node.SwitchboardNode;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.opamp.proto.AgentToServer;
import io.switchboard.opamp.proto.CommandType;
import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.testkit.HttpProbe;
import io.switchboard.testkit.RawAgent;
import io.switchboard.testkit.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A partition as the shard lease sees it: this node's renewals stop counting and another node takes
 * the lease of the shard holding an agent. This node must stop acting for that agent (its entity
 * stops, commands wait) until it holds the lease again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ShardLeaseFencingTest {

  private TestDatabase database;
  private SwitchboardNode node;

  @BeforeAll
  void start() {
    database = TestDatabase.start();
    node =
        SwitchboardNode.start(
            TestCluster.nodeConfig(
                database.url(),
                List.of(),
                Map.of(
                    "switchboard.lease.heartbeat-timeout", "2s",
                    "switchboard.lease.heartbeat-interval", "400ms",
                    "pekko.cluster.sharding.lease-retry-interval", "500ms",
                    "switchboard.api.ask-timeout", "1s")));
  }

  @AfterAll
  void stop() {
    node.close();
    database.close();
  }

  @Test
  void aNodeThatLostItsShardLeaseStopsActingForThatShardsAgents() throws Exception {
    ByteString uid = newUid();
    String instanceUid = InstanceUid.toText(uid);
    // Pekko's default: the shard is the entity id's hash modulo the number of shards.
    int shards =
        node.system().settings().config().getInt("pekko.cluster.sharding.number-of-shards");
    String lease = "switchboard-shard-Agent-" + Math.abs(instanceUid.hashCode() % shards);
    try (RawAgent agent = RawAgent.connect(node.opampPort())) {
      agent.send(report(uid, 1));
      agent.receive();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  "1"
                      .equals(
                          database.queryForString(
                              "SELECT count(*) FROM leases WHERE name = ? AND expires_at > now()",
                              lease)));
      String losses = "switchboard_lease_losses_total{lease=\"" + lease + "\"}";

      // Another node took the lease: as if this one's renewals had not reached the database in
      // time.
      database.execute(
          "UPDATE leases SET owner = 'switchboard@10.0.0.9:7355', expires_at = now() + interval '8 seconds', "
              + "fencing_token = fencing_token + 1 WHERE name = '"
              + lease
              + "'");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> HttpProbe.metric(node.metricsPort(), losses).orElse(0) >= 1);

      var submitted =
          HttpProbe.send(node.apiPort(), "POST", "/api/agents/" + instanceUid + "/restart", "");
      assertEquals(202, submitted.statusCode(), submitted.body());
      var envelope = new ObjectMapper().readTree(submitted.body());
      assertEquals(
          "PENDING", envelope.path("state").asText(), "the stale node's entity does not take it");
      agent.send(report(uid, 2));
      assertEquals(
          Optional.empty(), agent.poll(Duration.ofSeconds(2)), "nor does it answer the agent");

      // Once the other holder's lease runs out, this node takes the shard back and serves the
      // agent.
      ServerToAgent answer = agent.receive(Duration.ofSeconds(20));
      ServerToAgent command = answer.hasCommand() ? answer : nextCommand(agent);
      assertEquals(CommandType.CommandType_Restart, command.getCommand().getType());
      assertTrue(
          Long.parseLong(
                  database.queryForString("SELECT fencing_token FROM leases WHERE name = ?", lease))
              >= 3,
          "the lease changed hands twice");
    }
  }

  private static ServerToAgent nextCommand(RawAgent agent) throws InterruptedException {
    ServerToAgent message = agent.receive(Duration.ofSeconds(20));
    while (!message.hasCommand()) {
      message = agent.receive(Duration.ofSeconds(20));
    }
    return message;
  }

  private static AgentToServer report(ByteString uid, long seq) {
    return fullState(uid, seq, "fenced").toBuilder().setCapabilities(0x1 | 0x400).build();
  }
}
