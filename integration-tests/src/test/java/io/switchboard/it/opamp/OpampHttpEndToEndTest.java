package io.switchboard.it.opamp;

import static io.switchboard.testkit.AgentMessages.fullState;
import static io.switchboard.testkit.AgentMessages.heartbeat;
import static io.switchboard.testkit.AgentMessages.newUid;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.switchboard.node.SwitchboardNode;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.opamp.proto.ServerToAgentFlags;
import io.switchboard.testkit.HttpProbe;
import io.switchboard.testkit.RawHttpAgent;
import io.switchboard.testkit.TestNodes;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * OpAMP over plain HTTP to a whole node, poll by poll: the agent's state is kept across polls,
 * stored, and ends when the agent stops polling. The route's own checks (content type, size,
 * instance_uid, gzip) are tested in opamp-gateway ({@code OpampHttpTest}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpampHttpEndToEndTest {

  private static final String HTTP_SESSIONS = "switchboard_active_sessions{transport=\"http\"}";

  private SwitchboardNode node;
  private RawHttpAgent http;

  @BeforeAll
  void startNode() {
    node =
        SwitchboardNode.start(TestNodes.config(Map.of("switchboard.agent.heartbeat-window", "3s")));
    http = new RawHttpAgent(node.opampPort());
  }

  @AfterAll
  void stopNode() {
    node.close();
  }

  @Test
  void pollsAreAnsweredAndStateIsKeptAcrossThem() {
    ByteString uid = newUid();

    RawHttpAgent.Answer first = http.poll(fullState(uid, 1, "http-test"));
    assertEquals(200, first.status());
    assertEquals(uid, first.message().getInstanceUid());
    assertTrue(first.message().getCapabilities() != 0);
    assertEquals(
        0,
        first.message().getFlags() & ServerToAgentFlags.ServerToAgentFlags_ReportFullState_VALUE);

    assertEquals(0, http.poll(heartbeat(uid, 2)).message().getFlags());
    assertEquals(
        ServerToAgentFlags.ServerToAgentFlags_ReportFullState_VALUE,
        http.poll(heartbeat(uid, 9)).message().getFlags()
            & ServerToAgentFlags.ServerToAgentFlags_ReportFullState_VALUE,
        "a sequence gap asks for full state over HTTP too");

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              var agent =
                  HttpProbe.getJson(node.apiPort(), "/api/agents/" + InstanceUid.toText(uid));
              assertEquals("CONNECTED", agent.path("connection_state").asText());
              // Polls that change nothing are written once per last-seen interval (2 minutes).
              assertEquals(1, agent.path("sequence_num").asLong());
              assertEquals(
                  "http-test",
                  agent.at("/description/identifying_attributes/service.name").asText());
            });
  }

  @Test
  void aPollingAgentThatStopsPollingIsDisconnectedAfterTheHeartbeatWindow() {
    ByteString uid = newUid();
    double before = HttpProbe.metric(node.metricsPort(), HTTP_SESSIONS).orElse(0);
    http.poll(fullState(uid, 1, "http-test"));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> HttpProbe.metric(node.metricsPort(), HTTP_SESSIONS).orElse(0) >= before + 1);

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertEquals(
                    "DISCONNECTED",
                    HttpProbe.getJson(node.apiPort(), "/api/agents/" + InstanceUid.toText(uid))
                        .path("connection_state")
                        .asText()));
    // Every polling agent of this class goes silent within seconds, so all their sessions end.
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertEquals(
                    OptionalDouble.of(0), HttpProbe.metric(node.metricsPort(), HTTP_SESSIONS)));
  }
}
