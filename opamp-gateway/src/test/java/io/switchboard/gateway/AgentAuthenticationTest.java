package io.switchboard.gateway;

import static io.switchboard.testkit.AgentMessages.heartbeat;
import static io.switchboard.testkit.AgentMessages.newUid;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.switchboard.testkit.RawAgent;
import io.switchboard.testkit.RawHttpAgent;
import java.net.http.HttpRequest;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** With agent tokens configured, only agents presenting one get in, on both transports. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentAuthenticationTest {

  private TestGateway gateway;

  @BeforeAll
  void startGateway() {
    gateway =
        TestGateway.start(
            Map.of(
                "switchboard.opamp.auth.tokens.edge",
                "edge-token-1",
                "switchboard.opamp.auth.token",
                ""));
  }

  @AfterAll
  void stopGateway() {
    gateway.close();
  }

  @Test
  void aWebSocketWithoutAValidTokenIsRefusedBeforeTheUpgrade() {
    double before = TestGateway.metric("switchboard_agent_auth_failures_total", Map.of());
    for (Map<String, String> headers :
        java.util.List.of(Map.<String, String>of(), Map.of("Authorization", "Bearer wrong"))) {
      ExecutionException failure =
          assertThrows(ExecutionException.class, () -> RawAgent.connect(gateway.port(), headers));
      WebSocketHandshakeException handshake =
          assertInstanceOf(WebSocketHandshakeException.class, failure.getCause());
      assertEquals(401, handshake.getResponse().statusCode());
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                TestGateway.metric("switchboard_agent_auth_failures_total", Map.of())
                    >= before + 2);
  }

  @Test
  void aWebSocketWithTheFleetTokenIsServed() throws Exception {
    ByteString uid = newUid();
    try (RawAgent agent =
        RawAgent.connect(gateway.port(), Map.of("Authorization", "Bearer edge-token-1"))) {
      agent.send(heartbeat(uid, 1));
      assertEquals(uid, agent.receive().getInstanceUid());
    }
  }

  @Test
  void everyHttpPollIsChecked() {
    RawHttpAgent http = new RawHttpAgent(gateway.port());
    ByteString uid = newUid();
    byte[] body = heartbeat(uid, 1).toByteArray();

    assertEquals(
        200,
        http.post(
                http.request()
                    .header("Authorization", "Bearer edge-token-1")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)))
            .status());
    assertEquals(
        401, http.postForStatus(http.request().POST(HttpRequest.BodyPublishers.ofByteArray(body))));
  }
}
