package io.switchboard.gateway;

import static io.switchboard.testkit.AgentMessages.heartbeat;
import static io.switchboard.testkit.AgentMessages.newUid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.testkit.RawAgent;
import io.switchboard.testkit.TestCertificates;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** OpAMP over wss:// and https:// with certificates this test makes itself (keytool). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpampTlsTest {

  private TestCertificates certificates;

  @BeforeAll
  void makeCertificates() {
    certificates = TestCertificates.make();
  }

  @Test
  void agentsConnectOverWssAndPollOverHttpsWithAPkcs12Keystore() throws Exception {
    Map<String, Object> tls =
        Map.of(
            "switchboard.opamp.tls.keystore",
            certificates.serverKeystore().toString(),
            "switchboard.opamp.tls.keystore-password",
            TestCertificates.PASSWORD);
    try (TestGateway gateway = TestGateway.start(tls)) {
      HttpClient client =
          HttpClient.newBuilder().sslContext(certificates.clientContext(false)).build();
      assertWssAndHttpsServe(gateway, client);
    }
  }

  @Test
  void pemKeyMaterialWorksToo() throws Exception {
    Map<String, Object> tls =
        Map.of(
            "switchboard.opamp.tls.certificate-pem", certificates.serverCertificatePem().toString(),
            "switchboard.opamp.tls.private-key-pem", certificates.serverPrivateKeyPem().toString());
    try (TestGateway gateway = TestGateway.start(tls)) {
      assertWssAndHttpsServe(
          gateway, HttpClient.newBuilder().sslContext(certificates.clientContext(false)).build());
    }
  }

  @Test
  void whenClientCertificatesAreRequiredAgentsWithoutOneAreRefused() throws Exception {
    Map<String, Object> tls =
        Map.of(
            "switchboard.opamp.tls.keystore",
            certificates.serverKeystore().toString(),
            "switchboard.opamp.tls.keystore-password",
            TestCertificates.PASSWORD,
            "switchboard.opamp.tls.client-auth",
            "need",
            "switchboard.opamp.tls.client-ca-pem",
            certificates.agentCaPem().toString());
    try (TestGateway gateway = TestGateway.start(tls)) {
      HttpClient anonymous =
          HttpClient.newBuilder().sslContext(certificates.clientContext(false)).build();
      assertThrows(
          Exception.class,
          () -> anonymous.send(poll(gateway, newUid()), HttpResponse.BodyHandlers.ofByteArray()),
          "the TLS handshake fails without a client certificate");

      assertWssAndHttpsServe(
          gateway, HttpClient.newBuilder().sslContext(certificates.clientContext(true)).build());
    }
  }

  private void assertWssAndHttpsServe(TestGateway gateway, HttpClient client) throws Exception {
    ByteString uid = newUid();
    try (RawAgent agent =
        RawAgent.connect(
            URI.create("wss://localhost:" + gateway.port() + "/v1/opamp"), client, Map.of())) {
      agent.send(heartbeat(uid, 1));
      assertEquals(uid, agent.receive().getInstanceUid());
    }
    HttpResponse<byte[]> response =
        client.send(poll(gateway, uid), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, response.statusCode());
    assertEquals(uid, ServerToAgent.parseFrom(response.body()).getInstanceUid());
  }

  private static HttpRequest poll(TestGateway gateway, ByteString uid) {
    return HttpRequest.newBuilder(URI.create("https://localhost:" + gateway.port() + "/v1/opamp"))
        .timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/x-protobuf")
        .POST(HttpRequest.BodyPublishers.ofByteArray(heartbeat(uid, 1).toByteArray()))
        .build();
  }
}
