package io.switchboard.node;

import static io.switchboard.testkit.AgentMessages.heartbeat;
import static io.switchboard.testkit.AgentMessages.newUid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.testkit.RawAgent;
import io.switchboard.testkit.TestNodes;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** OpAMP over wss:// and https:// with certificates this test makes itself (keytool). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpampTlsTest {

  private static final String PASSWORD = "changeit";

  private Path dir;
  private Path serverKeystore;
  private Path clientKeystore;

  @BeforeAll
  void makeCertificates() throws Exception {
    dir = Files.createTempDirectory("switchboard-tls");
    serverKeystore = dir.resolve("server.p12");
    clientKeystore = dir.resolve("client.p12");
    keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
        "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
        "-keystore", serverKeystore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD);
    keytool("-genkeypair", "-alias", "agent", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=agent-1",
        "-validity", "2", "-storetype", "PKCS12",
        "-keystore", clientKeystore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD);
    keytool("-exportcert", "-rfc", "-alias", "agent", "-keystore", clientKeystore.toString(), "-storepass", PASSWORD,
        "-file", dir.resolve("agent-ca.pem").toString());
  }

  @Test
  void agentsConnectOverWssAndPollOverHttpsWithAPkcs12Keystore() throws Exception {
    Map<String, Object> tls =
        Map.of("switchboard.opamp.tls.keystore", serverKeystore.toString(), "switchboard.opamp.tls.keystore-password", PASSWORD);
    try (SwitchboardNode node = SwitchboardNode.start(TestNodes.config(tls))) {
      HttpClient client = HttpClient.newBuilder().sslContext(clientContext(false)).build();
      assertWssAndHttpsServe(node, client);
    }
  }

  @Test
  void pemKeyMaterialWorksToo() throws Exception {
    Path certificate = dir.resolve("server-cert.pem");
    Path key = dir.resolve("server-key.pem");
    KeyStore store = load(serverKeystore);
    Files.writeString(certificate, pem("CERTIFICATE", store.getCertificate("server").getEncoded()));
    Key privateKey = store.getKey("server", PASSWORD.toCharArray());
    Files.writeString(key, pem("PRIVATE KEY", privateKey.getEncoded()));

    Map<String, Object> tls =
        Map.of("switchboard.opamp.tls.certificate-pem", certificate.toString(), "switchboard.opamp.tls.private-key-pem", key.toString());
    try (SwitchboardNode node = SwitchboardNode.start(TestNodes.config(tls))) {
      assertWssAndHttpsServe(node, HttpClient.newBuilder().sslContext(clientContext(false)).build());
    }
  }

  @Test
  void whenClientCertificatesAreRequiredAgentsWithoutOneAreRefused() throws Exception {
    Map<String, Object> tls =
        Map.of(
            "switchboard.opamp.tls.keystore", serverKeystore.toString(),
            "switchboard.opamp.tls.keystore-password", PASSWORD,
            "switchboard.opamp.tls.client-auth", "need",
            "switchboard.opamp.tls.client-ca-pem", dir.resolve("agent-ca.pem").toString());
    try (SwitchboardNode node = SwitchboardNode.start(TestNodes.config(tls))) {
      HttpClient anonymous = HttpClient.newBuilder().sslContext(clientContext(false)).build();
      assertThrows(
          Exception.class,
          () -> anonymous.send(poll(node, newUid()), HttpResponse.BodyHandlers.ofByteArray()),
          "the TLS handshake fails without a client certificate");

      assertWssAndHttpsServe(node, HttpClient.newBuilder().sslContext(clientContext(true)).build());
    }
  }

  private void assertWssAndHttpsServe(SwitchboardNode node, HttpClient client) throws Exception {
    ByteString uid = newUid();
    try (RawAgent agent =
        RawAgent.connect(URI.create("wss://localhost:" + node.opampPort() + "/v1/opamp"), client, Map.of())) {
      agent.send(heartbeat(uid, 1));
      assertEquals(uid, agent.receive().getInstanceUid());
    }
    HttpResponse<byte[]> response = client.send(poll(node, uid), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, response.statusCode());
    assertEquals(uid, ServerToAgent.parseFrom(response.body()).getInstanceUid());
  }

  private static HttpRequest poll(SwitchboardNode node, ByteString uid) {
    return HttpRequest.newBuilder(URI.create("https://localhost:" + node.opampPort() + "/v1/opamp"))
        .timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/x-protobuf")
        .POST(HttpRequest.BodyPublishers.ofByteArray(heartbeat(uid, 1).toByteArray()))
        .build();
  }

  /** Trusts the server's self-signed certificate; presents the agent's certificate if asked to. */
  private SSLContext clientContext(boolean withClientCertificate) throws Exception {
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(load(serverKeystore));
    KeyManagerFactory keys = null;
    if (withClientCertificate) {
      keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(load(clientKeystore), PASSWORD.toCharArray());
    }
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
    return context;
  }

  private static KeyStore load(Path path) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(path)) {
      store.load(in, PASSWORD.toCharArray());
    }
    return store;
  }

  private static String pem(String label, byte[] der) {
    return "-----BEGIN " + label + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
        + "\n-----END " + label + "-----\n";
  }

  private static void keytool(String... arguments) throws Exception {
    List<String> command = new java.util.ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(arguments));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException("keytool failed: " + output);
    }
  }
}
