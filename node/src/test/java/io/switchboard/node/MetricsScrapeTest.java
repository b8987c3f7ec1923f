package io.switchboard.node;

import static io.switchboard.node.AgentMessages.fullState;
import static io.switchboard.node.AgentMessages.newUid;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.switchboard.cluster.agent.InstanceUid;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The metrics catalog during a small end-to-end scenario (an agent connects, sends a bad frame,
 * gets a command, leaves): the series SREs alert on exist and say what happened.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsScrapeTest {

  private SwitchboardNode node;

  @BeforeAll
  void startNode() {
    node = SwitchboardNode.start(TestNodes.config(Map.of()));
  }

  @AfterAll
  void stopNode() {
    node.close();
  }

  @Test
  void theCatalogReportsTheScenario() throws Exception {
    ByteString uid = newUid();
    String path = "/api/agents/" + InstanceUid.toText(uid);
    try (RawAgent agent = RawAgent.connect(node.opampPort())) {
      agent.send(fullState(uid, 1, "metrics").toBuilder().setCapabilities(0x1 | 0x400).build());
      agent.receive();
      await().atMost(Duration.ofSeconds(10)).until(() -> metric("switchboard_active_sessions{transport=\"websocket\"}") == 1);
      agent.sendBytes(new byte[] {0, 1, 2, 3});
      agent.receive();
      await().atMost(Duration.ofSeconds(20)).until(() -> HttpProbe.get(node.apiPort(), path).statusCode() == 200);
      assertEquals(202, HttpProbe.send(node.apiPort(), "POST", path + "/restart", "").statusCode());
      agent.receive();
    }

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              assertEquals(0, metric("switchboard_active_sessions{transport=\"websocket\"}"), "sessions back to 0");
              assertTrue(metric("switchboard_connects_total{transport=\"websocket\"}") >= 1);
              assertTrue(metric("switchboard_disconnects_total{transport=\"websocket\"}") >= 1);
              assertTrue(metric("switchboard_frames_received_total{transport=\"websocket\"}") >= 1);
              assertTrue(metric("switchboard_frames_rejected_total{transport=\"websocket\",reason=\"invalid-protobuf\"}") >= 1);
              assertTrue(metric("switchboard_dispatch_deliveries_total{route=\"local\"}") >= 1);
              assertTrue(metric("switchboard_dispatch_envelopes_total{state=\"pending\"}") >= 1);
              assertTrue(metric("switchboard_dispatch_envelopes_total{state=\"sent\"}") >= 1);
              assertTrue(metric("switchboard_status_writer_batch_size_count") >= 1, "status writes were flushed");
              assertTrue(metric("switchboard_status_writer_pending_agents") >= 0);
              assertTrue(metric("switchboard_agent_messages_total{kind=\"status\"}") >= 1);
              assertTrue(metric("switchboard_database_query_duration_seconds_count") >= 1, "dispatch statements were timed");
              assertTrue(metric("switchboard_database_pool_connections{state=\"idle\",pool=\"write\"}") >= 0);
              assertTrue(metric("switchboard_sharding_running{what=\"shards\"}") >= 1, "the agent's shard runs here");
              assertTrue(
                  HttpProbe.get(node.metricsPort(), "/metrics").body().contains("switchboard_lease_acquisitions_total{lease="),
                  "the shard of the agent ran under a lease");
              assertTrue(HttpProbe.get(node.metricsPort(), "/metrics").body().contains("jvm_memory"), "JVM metrics too");
            });
  }

  private double metric(String series) {
    OptionalDouble value = HttpProbe.metric(node.metricsPort(), series);
    return value.orElse(-1);
  }
}
