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
import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.opamp.proto.TLSCertificate;
import io.switchboard.testkit.AgentKeys;
import io.switchboard.testkit.AgentMessages;
import io.switchboard.testkit.HttpProbe;
import io.switchboard.testkit.RawAgent;
import io.switchboard.testkit.TestCertificates;
import io.switchboard.testkit.TestNodes;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyPair;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The certificate signing request flow over real mutual TLS: an agent that connected with its
 * bootstrap certificate asks for a certificate of its own, gets one signed by the server's CA,
 * reconnects with it and is admitted; once an operator revokes it, the handshake refuses it.
 * Requests are bounded in size and rate.
 */
class ClientCertificateFlowTest {

  /** ReportsStatus, AcceptsOpAMPConnectionSettings. */
  private static final long CAPABILITIES = 0x1 | 0x100;

  private static TestCertificates tls;
  private static SwitchboardNode node;
  private static URI endpoint;

  @BeforeAll
  static void start() throws Exception {
    tls = TestCertificates.make();
    AgentKeys.Ca ca = AgentKeys.newCa(Files.createTempDirectory("switchboard-ca"), "agents");
    node =
        SwitchboardNode.start(
            TestNodes.config(
                Map.of(
                    "switchboard.opamp.tls.keystore",
                    tls.serverKeystore().toString(),
                    "switchboard.opamp.tls.keystore-password",
                    TestCertificates.PASSWORD,
                    "switchboard.opamp.tls.client-auth",
                    "need",
                    "switchboard.opamp.tls.client-ca-pem",
                    tls.trustedAgents("bootstrap").toString(),
                    "switchboard.opamp.certificates.ca-certificate-pem",
                    ca.certificatePem().toString(),
                    "switchboard.opamp.certificates.ca-private-key-pem",
                    ca.privateKeyPem().toString(),
                    "switchboard.opamp.certificates.revocation-refresh",
                    "1s")));
    endpoint = URI.create("wss://localhost:" + node.opampPort() + "/v1/opamp");
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void anAgentReconnectsWithTheCertificateItAskedForAndIsRefusedOnceItIsRevoked() throws Exception {
    ByteString uid = AgentMessages.newUid();
    String id = InstanceUid.toText(uid);
    KeyPair key = AgentKeys.newKeyPair();
    TLSCertificate issued;
    try (RawAgent agent = RawAgent.connect(endpoint, bootstrapClient(), Map.of())) {
      agent.send(withCapabilities(AgentMessages.fullState(uid, 1, "csr-agent")));
      ServerToAgent first = agent.receive();
      assertFalse(first.hasErrorResponse());
      assertTrue((first.getCapabilities() & 0x40) != 0, "AcceptsConnectionSettingsRequest");
      assertFalse(first.getConnectionSettings().getOpamp().hasCertificate());

      agent.send(
          withCapabilities(
              AgentMessages.certificateRequest(
                  uid, 2, AgentKeys.certificateRequest(key, "whatever-the-agent-asks"))));
      issued = awaitCertificate(agent);

      // A second request at once is over the rate.
      agent.send(
          withCapabilities(
              AgentMessages.certificateRequest(
                  uid, 3, AgentKeys.certificateRequest(key, "again"))));
      ServerToAgent refused = agent.receive();
      assertTrue(
          refused.getErrorResponse().getErrorMessage().contains("request-interval"),
          refused.toString());
    }
    X509Certificate certificate =
        (X509Certificate)
            CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(issued.getCert().toByteArray()));
    assertEquals(
        "CN=" + id + ",O=Switchboard agents", certificate.getSubjectX500Principal().getName());
    assertTrue(
        certificate.getNotAfter().toInstant().isBefore(Instant.now().plus(Duration.ofDays(31))),
        "30 days by default");
    assertFalse(issued.getCaCert().isEmpty(), "the CA comes with it");
    assertTrue(issued.getPrivateKey().isEmpty(), "the agent keeps its key");
    String pem = issued.getCert().toString(StandardCharsets.UTF_8);

    // Mutual TLS with the issued certificate: admitted as the same agent, offered it again.
    try (RawAgent agent = RawAgent.connect(endpoint, issuedClient(key, pem), Map.of())) {
      agent.send(withCapabilities(AgentMessages.fullState(uid, 1, "csr-agent")));
      ServerToAgent reply = agent.receive();
      assertFalse(reply.hasErrorResponse(), reply.toString());
      assertEquals(
          issued.getCert(), reply.getConnectionSettings().getOpamp().getCertificate().getCert());
    }

    JsonNode listed = HttpProbe.getJson(node.apiPort(), "/api/agents/" + id + "/certificates");
    String serial = listed.path("items").path(0).path("serial").asText();
    assertEquals(certificate.getSerialNumber().toString(16), serial);
    assertFalse(listed.path("items").path(0).path("revoked").asBoolean());

    assertEquals(
        200,
        HttpProbe.send(
                node.apiPort(),
                "POST",
                "/api/agents/" + id + "/certificates/" + serial + "/revoke",
                "{}")
            .statusCode());
    assertEquals(
        404,
        HttpProbe.send(
                node.apiPort(),
                "POST",
                "/api/agents/" + id + "/certificates/" + serial + "/revoke",
                "{}")
            .statusCode(),
        "revoked already");

    await().atMost(Duration.ofSeconds(30)).until(() -> refused(issuedClient(key, pem)));
    // Metrics are published on the reporter's tick.
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                HttpProbe.metric(
                            node.metricsPort(), "switchboard_certificate_revoked_refused_total")
                        .orElse(0)
                    >= 1);
    assertTrue(connects(bootstrapClient()), "other certificates still get in");
    String audit = HttpProbe.getJson(node.apiPort(), "/api/audit").toString();
    assertTrue(audit.contains("agent.certificate.revoked"), audit);
  }

  @Test
  void oversizedAndInvalidRequestsAreRefused() throws Exception {
    try (RawAgent agent = RawAgent.connect(endpoint, bootstrapClient(), Map.of())) {
      ByteString uid = AgentMessages.newUid();
      agent.send(withCapabilities(AgentMessages.fullState(uid, 1, "csr-bounds")));
      agent.receive();
      agent.send(AgentMessages.certificateRequest(uid, 2, new byte[17 * 1024]));
      ServerToAgent tooLarge = agent.receive();
      assertTrue(
          tooLarge.getErrorResponse().getErrorMessage().contains("max-request-size"),
          tooLarge.toString());
    }
    // Another agent, on a connection of its own.
    try (RawAgent agent = RawAgent.connect(endpoint, bootstrapClient(), Map.of())) {
      ByteString other = AgentMessages.newUid();
      agent.send(withCapabilities(AgentMessages.fullState(other, 1, "csr-invalid")));
      agent.receive();
      agent.send(
          AgentMessages.certificateRequest(
              other, 2, "not a request".getBytes(StandardCharsets.UTF_8)));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> {
                Optional<ServerToAgent> next = agent.poll(Duration.ofSeconds(1));
                return next.isPresent()
                    && next.get()
                        .getErrorResponse()
                        .getErrorMessage()
                        .startsWith("certificate request refused");
              });
    }
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                HttpProbe.metric(
                            node.metricsPort(),
                            "switchboard_certificate_requests_total{outcome=\"refused-size\"}")
                        .orElse(0)
                    >= 1);
  }

  private static TLSCertificate awaitCertificate(RawAgent agent) throws Exception {
    TLSCertificate[] found = new TLSCertificate[1];
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              Optional<ServerToAgent> next = agent.poll(Duration.ofSeconds(1));
              if (next.isPresent()
                  && next.get().getConnectionSettings().getOpamp().hasCertificate()) {
                found[0] = next.get().getConnectionSettings().getOpamp().getCertificate();
              }
              return found[0] != null;
            });
    return found[0];
  }

  private static boolean connects(HttpClient client) {
    try (RawAgent agent = RawAgent.connect(endpoint, client, Map.of())) {
      ByteString uid = AgentMessages.newUid();
      agent.send(withCapabilities(AgentMessages.fullState(uid, 1, "probe")));
      return agent.poll(Duration.ofSeconds(15)).isPresent();
    } catch (Exception refused) {
      return false;
    }
  }

  /** Whether the connection is refused while it is opened (at the TLS handshake). */
  private static boolean refused(HttpClient client) {
    try (RawAgent agent = RawAgent.connect(endpoint, client, Map.of())) {
      return false;
    } catch (Exception handshake) {
      return true;
    }
  }

  private static HttpClient bootstrapClient() throws Exception {
    return HttpClient.newBuilder().sslContext(tls.agentContext("bootstrap")).build();
  }

  private static HttpClient issuedClient(KeyPair key, String pem) throws Exception {
    return HttpClient.newBuilder()
        .sslContext(AgentKeys.clientContext(tls.serverKeystore(), key, pem))
        .build();
  }

  private static AgentToServer withCapabilities(AgentToServer message) {
    return message.toBuilder().setCapabilities(CAPABILITIES).build();
  }
}
