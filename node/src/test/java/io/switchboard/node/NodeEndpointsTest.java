package io.switchboard.node;

import static io.switchboard.testkit.AgentMessages.heartbeat;
import static io.switchboard.testkit.AgentMessages.newUid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.testkit.HttpProbe;
import io.switchboard.testkit.RawAgent;
import io.switchboard.testkit.TestCertificates;
import io.switchboard.testkit.TestNodes;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What the node hands its endpoints from its own settings: the OpAMP port's TLS key material, and
 * its data directory, where the first admin's generated password goes. (TLS itself and sign-in are
 * tested in opamp-gateway and operator-api.)
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NodeEndpointsTest {

  private TestCertificates certificates;
  private Path dataDir;
  private SwitchboardNode node;

  @BeforeAll
  void startNode() {
    certificates = TestCertificates.make();
    dataDir = TestNodes.newDataDir();
    node =
        SwitchboardNode.start(
            TestNodes.config(
                dataDir,
                Map.of(
                    "switchboard.opamp.tls.keystore",
                    certificates.serverKeystore().toString(),
                    "switchboard.opamp.tls.keystore-password",
                    TestCertificates.PASSWORD,
                    "switchboard.api.auth.enabled",
                    true)));
  }

  @AfterAll
  void stopNode() {
    node.close();
  }

  @Test
  void withKeyMaterialConfiguredTheOpampPortServesTlsOnly() throws Exception {
    HttpClient client =
        HttpClient.newBuilder().sslContext(certificates.clientContext(false)).build();
    ByteString uid = newUid();
    try (RawAgent agent =
        RawAgent.connect(
            URI.create("wss://localhost:" + node.opampPort() + "/v1/opamp"), client, Map.of())) {
      agent.send(heartbeat(uid, 1));
      assertEquals(uid, agent.receive().getInstanceUid());
    }
    HttpResponse<byte[]> polled =
        client.send(poll("https", uid), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, polled.statusCode());
    assertEquals(uid, ServerToAgent.parseFrom(polled.body()).getInstanceUid());

    assertThrows(
        IOException.class,
        () ->
            HttpClient.newHttpClient()
                .send(poll("http", uid), HttpResponse.BodyHandlers.ofByteArray()),
        "no OpAMP in the clear");
  }

  @Test
  void withSignInOnAndNoPasswordTheFirstAdminsPasswordIsWrittenIntoTheNodesDataDirectory()
      throws Exception {
    Path file = dataDir.resolve("admin-password");
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    String password = Files.readString(file).trim();
    assertEquals(
        200,
        HttpProbe.send(
                node.apiPort(),
                "POST",
                "/api/session",
                "{\"username\": \"admin\", \"password\": \"" + password + "\"}")
            .statusCode());
    assertEquals(401, HttpProbe.get(node.apiPort(), "/api/agents").statusCode(), "sign-in is on");
  }

  private HttpRequest poll(String scheme, ByteString uid) {
    return HttpRequest.newBuilder(
            URI.create(scheme + "://localhost:" + node.opampPort() + "/v1/opamp"))
        .timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/x-protobuf")
        .POST(HttpRequest.BodyPublishers.ofByteArray(heartbeat(uid, 1).toByteArray()))
        .build();
  }

  @Test
  void managementOnlyReadsItCannotDownAMember() {
    String self = node.system().address().toString();
    assertEquals(
        200, HttpProbe.get(node.managementPort(), "/cluster/members").statusCode(), "reads work");
    HttpResponse<String> down =
        HttpProbe.send(
            node.managementPort(), "PUT", "/cluster/members/" + self + "?operation=Down", "");
    assertTrue(down.statusCode() >= 400, "no writes: " + down.statusCode() + " " + down.body());
    HttpResponse<String> leave =
        HttpProbe.send(node.managementPort(), "DELETE", "/cluster/members/" + self, "");
    assertTrue(leave.statusCode() >= 400, "no writes: " + leave.statusCode() + " " + leave.body());
    assertEquals(
        org.apache.pekko.cluster.MemberStatus.up(),
        org.apache.pekko.cluster.typed.Cluster.get(node.system()).selfMember().status());
  }

  @Test
  void withSignInOffTheApiBindsToLoopbackOnlyUnlessAllowed() {
    java.util.function.Function<Map<String, Object>, String> host =
        overrides ->
            NodeSettings.fromConfig(NodeRoles.apply(TestNodes.config(overrides))).apiHost();
    assertEquals(
        "127.0.0.1",
        host.apply(
            Map.of("switchboard.api.auth.enabled", false, "switchboard.api.host", "0.0.0.0")));
    assertEquals(
        "0.0.0.0",
        host.apply(
            Map.of(
                "switchboard.api.auth.enabled",
                false,
                "switchboard.api.host",
                "0.0.0.0",
                "switchboard.api.auth.allow-remote-without-sign-in",
                true)));
    assertEquals(
        "0.0.0.0",
        host.apply(
            Map.of("switchboard.api.auth.enabled", true, "switchboard.api.host", "0.0.0.0")));
  }
}
