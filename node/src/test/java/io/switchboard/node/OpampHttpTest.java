package io.switchboard.node;

import static io.switchboard.testkit.AgentMessages.fullState;
import static io.switchboard.testkit.AgentMessages.heartbeat;
import static io.switchboard.testkit.AgentMessages.newUid;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.opamp.proto.ServerErrorResponseType;
import io.switchboard.opamp.proto.ServerToAgentFlags;
import io.switchboard.testkit.HttpProbe;
import io.switchboard.testkit.RawHttpAgent;
import io.switchboard.testkit.TestNodes;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** OpAMP over plain HTTP, driven request by request. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpampHttpTest {

  private static final int MAX_MESSAGE_BYTES = 64 * 1024;
  private static final String HTTP_SESSIONS = "switchboard_active_sessions{transport=\"http\"}";

  private SwitchboardNode node;
  private RawHttpAgent http;

  @BeforeAll
  void startNode() {
    node =
        SwitchboardNode.start(
            TestNodes.config(
                Map.of(
                    "switchboard.opamp.max-message-size", MAX_MESSAGE_BYTES,
                    "switchboard.agent.heartbeat-window", "3s")));
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
    assertEquals(0, first.message().getFlags() & ServerToAgentFlags.ServerToAgentFlags_ReportFullState_VALUE);

    assertEquals(0, http.poll(heartbeat(uid, 2)).message().getFlags());
    assertEquals(
        ServerToAgentFlags.ServerToAgentFlags_ReportFullState_VALUE,
        http.poll(heartbeat(uid, 9)).message().getFlags() & ServerToAgentFlags.ServerToAgentFlags_ReportFullState_VALUE,
        "a sequence gap asks for full state over HTTP too");

    await().atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              var agent = HttpProbe.getJson(node.apiPort(), "/api/agents/" + InstanceUid.toText(uid));
              assertEquals("CONNECTED", agent.path("connection_state").asText());
              assertEquals(9, agent.path("sequence_num").asLong());
              assertEquals("http-test", agent.at("/description/identifying_attributes/service.name").asText());
            });
  }

  @Test
  void aPollingAgentThatStopsPollingIsDisconnectedAfterTheHeartbeatWindow() {
    ByteString uid = newUid();
    double before = HttpProbe.metric(node.metricsPort(), HTTP_SESSIONS).orElse(0);
    http.poll(fullState(uid, 1, "http-test"));
    await().atMost(Duration.ofSeconds(10))
        .until(() -> HttpProbe.metric(node.metricsPort(), HTTP_SESSIONS).orElse(0) >= before + 1);

    await().atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertEquals(
                    "DISCONNECTED",
                    HttpProbe.getJson(node.apiPort(), "/api/agents/" + InstanceUid.toText(uid))
                        .path("connection_state")
                        .asText()));
    // Every polling agent of this class goes silent within seconds, so all their sessions end.
    await().atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertEquals(OptionalDouble.of(0), HttpProbe.metric(node.metricsPort(), HTTP_SESSIONS)));
  }

  @Test
  void gzipBodiesAreAcceptedAndResponsesGzippedForClientsThatAskForIt() {
    ByteString uid = newUid();

    RawHttpAgent.Answer answer =
        http.post(
            http.request()
                .header("Content-Encoding", "gzip")
                .header("Accept-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(RawHttpAgent.gzip(fullState(uid, 1, "http-test").toByteArray()))));

    assertEquals(200, answer.status());
    assertTrue(answer.gzipped(), "the response is gzipped");
    assertEquals(uid, answer.message().getInstanceUid());

    RawHttpAgent.Answer plain = http.poll(heartbeat(uid, 2));
    assertFalse(plain.gzipped(), "not gzipped for a client that did not ask");
  }

  @Test
  void theInstanceUidHeaderMustMatchTheBody() {
    ByteString uid = newUid();

    assertEquals(
        200,
        http.post(
                http.request()
                    .header("OpAMP-Instance-UID", InstanceUid.toText(uid))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(fullState(uid, 1, "http-test").toByteArray())))
            .status());
    RawHttpAgent.Answer mismatch =
        http.post(
            http.request()
                .header("OpAMP-Instance-UID", UUID.randomUUID().toString())
                .POST(HttpRequest.BodyPublishers.ofByteArray(heartbeat(uid, 2).toByteArray())));
    assertEquals(400, mismatch.status());
    assertTrue(mismatch.message().getErrorResponse().getErrorMessage().startsWith("instance-uid-mismatch"));
  }

  @Test
  void malformedBodiesGetBadRequestWithAnErrorResponse() {
    RawHttpAgent.Answer answer =
        http.post(http.request().POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {(byte) 0xFF, 0x01, 0x02})));

    assertEquals(400, answer.status());
    assertEquals(
        ServerErrorResponseType.ServerErrorResponseType_BadRequest, answer.message().getErrorResponse().getType());
    assertTrue(answer.message().getErrorResponse().getErrorMessage().startsWith("invalid-protobuf"));
  }

  @Test
  void anotherContentTypeIsRefused() {
    RawHttpAgent.Answer answer =
        http.post(
            http.request()
                .setHeader("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")));

    assertEquals(415, answer.status());
  }

  @Test
  void oversizedBodiesGet413BeforeAndAfterDecompression() {
    double before = rejected("oversized");

    assertEquals(
        413, http.post(http.request().POST(HttpRequest.BodyPublishers.ofByteArray(new byte[MAX_MESSAGE_BYTES + 1]))).status());
    byte[] bomb = RawHttpAgent.gzip(new byte[MAX_MESSAGE_BYTES * 16]);
    assertTrue(bomb.length < MAX_MESSAGE_BYTES, "small on the wire");
    assertEquals(
        413,
        http.post(http.request().header("Content-Encoding", "gzip").POST(HttpRequest.BodyPublishers.ofByteArray(bomb)))
            .status());

    await().atMost(Duration.ofSeconds(10)).until(() -> rejected("oversized") >= before + 2);
  }

  private double rejected(String reason) {
    return HttpProbe.metric(
            node.metricsPort(), "switchboard_frames_rejected_total{transport=\"http\",reason=\"" + reason + "\"}")
        .orElse(0);
  }
}
