package io.switchboard.it.opamp;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.switchboard.node.SwitchboardNode;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.opamp.proto.AgentToServer;
import io.switchboard.opamp.proto.ServerErrorResponseType;
import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.testkit.AgentMessages;
import io.switchboard.testkit.HttpProbe;
import io.switchboard.testkit.RawAgent;
import io.switchboard.testkit.RawHttpAgent;
import io.switchboard.testkit.TestCertificates;
import io.switchboard.testkit.TestNodes;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An agent's identity belongs to the credential it was first seen with: another fleet's token or
 * another client certificate naming the same instance_uid is refused, the rightful agent keeps its
 * session and its config never reaches the impostor, and a reconnect with the same credential still
 * takes over from its own old socket.
 */
class AgentIdentityTest {

  private static final String EDGE = "edge-token-0123456789";
  private static final String CORE = "core-token-0123456789";

  /** ReportsStatus, AcceptsRemoteConfig. */
  private static final long CAPABILITIES = 0x1 | 0x2;

  @Test
  void anotherFleetsTokenCannotTakeAnAgentsIdentity() throws Exception {
    try (SwitchboardNode node =
        SwitchboardNode.start(
            TestNodes.config(
                Map.of(
                    "switchboard.opamp.auth.tokens.edge", EDGE,
                    "switchboard.opamp.auth.tokens.core", CORE)))) {
      ByteString uid = AgentMessages.newUid();
      String id = InstanceUid.toText(uid);
      RawAgent rightful = RawAgent.connect(node.opampPort(), bearer(EDGE));
      rightful.send(report(uid, 1));
      assertFalse(rightful.receive().hasErrorResponse());
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  "token:edge"
                      .equals(
                          HttpProbe.getJson(node.apiPort(), "/api/agents/" + id)
                              .path("principal")
                              .asText()));

      try (RawAgent impostor = RawAgent.connect(node.opampPort(), bearer(CORE))) {
        impostor.send(report(uid, 1));
        ServerToAgent refused = impostor.receive();
        assertEquals(
            ServerErrorResponseType.ServerErrorResponseType_BadRequest,
            refused.getErrorResponse().getType());
        assertTrue(refused.getErrorResponse().getErrorMessage().contains("another credential"));
        assertEquals(1008, impostor.closeCode().get(10, TimeUnit.SECONDS));

        // The operator's config goes to the rightful agent, and only there.
        String config = "{\"config_map\": {\"c.yaml\": {\"body\": \"exporters: {secret: 1}\"}}}";
        assertEquals(
            202,
            HttpProbe.send(node.apiPort(), "PUT", "/api/agents/" + id + "/remote-config", config)
                .statusCode());
        assertTrue(rightful.receive().hasRemoteConfig());
        Optional<ServerToAgent> leaked = impostor.poll(Duration.ofMillis(500));
        assertFalse(
            leaked.map(ServerToAgent::hasRemoteConfig).orElse(false),
            "the impostor never sees the config");
      }

      RawHttpAgent.Answer poll =
          new RawHttpAgent(node.opampPort())
              .post(
                  new RawHttpAgent(node.opampPort())
                      .request()
                      .header("Authorization", "Bearer " + CORE)
                      .POST(
                          java.net.http.HttpRequest.BodyPublishers.ofByteArray(
                              report(uid, 1).toByteArray())));
      assertEquals(403, poll.status());

      rightful.send(AgentMessages.heartbeat(uid, 2));
      assertFalse(rightful.receive().hasErrorResponse(), "the rightful session carries on");

      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                JsonNode audit = HttpProbe.getJson(node.apiPort(), "/api/audit?target=agent/" + id);
                assertTrue(audit.toString().contains("agent.identity.conflict"), audit.toString());
              });
      assertTrue(
          HttpProbe.metric(node.metricsPort(), "switchboard_identity_conflicts_total").orElse(0)
              >= 2,
          "each refusal is counted");

      // A reconnect with the same credential still wins over its own old (half-open) socket.
      try (RawAgent reconnected = RawAgent.connect(node.opampPort(), bearer(EDGE))) {
        reconnected.send(report(uid, 1));
        assertFalse(reconnected.receive().hasErrorResponse());
        rightful.closeCode().get(10, TimeUnit.SECONDS);
      }

      // An operator resets the binding for a re-enrolment: the other fleet may bind it then.
      assertEquals(
          200,
          HttpProbe.send(node.apiPort(), "DELETE", "/api/agents/" + id + "/credential", "")
              .statusCode());
      try (RawAgent reenrolled = RawAgent.connect(node.opampPort(), bearer(CORE))) {
        reenrolled.send(report(uid, 1));
        assertFalse(reenrolled.receive().hasErrorResponse());
      }
      rightful.close();
    }
  }

  @Test
  void anotherClientCertificateCannotTakeAnAgentsIdentityAndStrictModeWantsItsOwnName()
      throws Exception {
    TestCertificates certificates = TestCertificates.make();
    ByteString uid = AgentMessages.newUid();
    String id = InstanceUid.toText(uid);
    try (SwitchboardNode node =
        SwitchboardNode.start(
            TestNodes.config(
                Map.of(
                    "switchboard.opamp.tls.keystore",
                    certificates.serverKeystore().toString(),
                    "switchboard.opamp.tls.keystore-password",
                    TestCertificates.PASSWORD,
                    "switchboard.opamp.tls.client-auth",
                    "need",
                    "switchboard.opamp.tls.client-ca-pem",
                    certificates.trustedAgents("agent-a", "agent-b", id).toString())))) {
      URI endpoint = URI.create("wss://localhost:" + node.opampPort() + "/v1/opamp");
      HttpClient agentA =
          HttpClient.newBuilder().sslContext(certificates.agentContext("agent-a")).build();
      HttpClient agentB =
          HttpClient.newBuilder().sslContext(certificates.agentContext("agent-b")).build();

      try (RawAgent rightful = RawAgent.connect(endpoint, agentA, Map.of());
          RawAgent impostor = RawAgent.connect(endpoint, agentB, Map.of())) {
        rightful.send(report(uid, 1));
        assertFalse(rightful.receive().hasErrorResponse());
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    "cert:CN=agent-a"
                        .equals(
                            HttpProbe.getJson(node.apiPort(), "/api/agents/" + id)
                                .path("principal")
                                .asText()));

        impostor.send(report(uid, 1));
        assertTrue(
            impostor.receive().getErrorResponse().getErrorMessage().contains("another credential"));
        assertEquals(1008, impostor.closeCode().get(10, TimeUnit.SECONDS));
        rightful.send(AgentMessages.heartbeat(uid, 2));
        assertFalse(rightful.receive().hasErrorResponse());
      }
    }

    try (SwitchboardNode strict =
        SwitchboardNode.start(
            TestNodes.config(
                Map.of(
                    "switchboard.opamp.tls.keystore",
                    certificates.serverKeystore().toString(),
                    "switchboard.opamp.tls.keystore-password",
                    TestCertificates.PASSWORD,
                    "switchboard.opamp.tls.client-auth",
                    "need",
                    "switchboard.opamp.tls.client-ca-pem",
                    certificates.trustedAgents(id).toString(),
                    "switchboard.opamp.auth.certificate-names-agent",
                    true)))) {
      URI endpoint = URI.create("wss://localhost:" + strict.opampPort() + "/v1/opamp");
      HttpClient named = HttpClient.newBuilder().sslContext(certificates.agentContext(id)).build();
      try (RawAgent agent = RawAgent.connect(endpoint, named, Map.of());
          RawAgent other = RawAgent.connect(endpoint, named, Map.of())) {
        agent.send(report(uid, 1));
        assertFalse(agent.receive().hasErrorResponse(), "the certificate names this agent");
        other.send(report(AgentMessages.newUid(), 1));
        assertTrue(
            other
                .receive()
                .getErrorResponse()
                .getErrorMessage()
                .startsWith("instance-uid-not-certified"),
            "the certificate does not name that one");
      }
    }
  }

  private static Map<String, String> bearer(String token) {
    return Map.of("Authorization", "Bearer " + token);
  }

  private static AgentToServer report(ByteString uid, long seq) {
    return AgentMessages.fullState(uid, seq, "checkout").toBuilder()
        .setCapabilities(CAPABILITIES)
        .build();
  }
}
