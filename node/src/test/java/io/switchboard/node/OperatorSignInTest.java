package io.switchboard.node;

import static io.switchboard.testkit.AgentMessages.fullState;
import static io.switchboard.testkit.AgentMessages.newUid;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.testkit.HttpProbe;
import io.switchboard.testkit.RawAgent;
import io.switchboard.testkit.TestNodes;
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

/** Operators sign in, and the API holds each to their role, with CSRF protection on changes. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OperatorSignInTest {

  private static final String ADMIN_PASSWORD = "correct horse battery";

  private final ObjectMapper json = new ObjectMapper();
  private SwitchboardNode node;

  @BeforeAll
  void startNode() {
    node =
        SwitchboardNode.start(
            TestNodes.config(Map.of("switchboard.api.auth.enabled", true, "switchboard.api.auth.admin-password", ADMIN_PASSWORD)));
  }

  @AfterAll
  void stopNode() {
    node.close();
  }

  @Test
  void rolesAreEnforcedByTheApi() throws Exception {
    assertProblem(HttpProbe.get(node.apiPort(), "/api/agents"), 401, "sign in first");
    assertProblem(login("admin", "wrong password"), 401, "wrong username or password");

    HttpResponse<String> admin = login("admin", ADMIN_PASSWORD);
    assertEquals(200, admin.statusCode(), admin.body());
    String setCookie = admin.headers().firstValue("Set-Cookie").orElseThrow();
    assertTrue(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict"), setCookie);
    Map<String, String> asAdmin = signedIn(admin);

    String viewer = "viewer-" + System.nanoTime();
    String account = "{\"username\": \"" + viewer + "\", \"password\": \"a long viewer password\", \"role\": \"VIEWER\"}";
    assertProblem(
        HttpProbe.send(node.apiPort(), "POST", "/api/operators", account, Map.of("Cookie", asAdmin.get("Cookie"))), 403, "X-CSRF-Token");
    assertEquals(201, HttpProbe.send(node.apiPort(), "POST", "/api/operators", account, asAdmin).statusCode());
    assertTrue(
        HttpProbe.send(node.apiPort(), "GET", "/api/audit?target=operator/" + viewer, "", asAdmin).body().contains("\"actor\":\"admin\""),
        "the audit log names the signed-in operator");

    ByteString uid = newUid();
    String agent = InstanceUid.toText(uid);
    try (RawAgent raw = RawAgent.connect(node.opampPort())) {
      raw.send(fullState(uid, 1, "signed-in").toBuilder().setCapabilities(0x1 | 0x2).build());
      raw.receive();
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> HttpProbe.send(node.apiPort(), "GET", "/api/agents/" + agent, "", asAdmin).statusCode() == 200);

      Map<String, String> asViewer = signedIn(login(viewer, "a long viewer password"));
      assertEquals(200, HttpProbe.send(node.apiPort(), "GET", "/api/agents/" + agent, "", asViewer).statusCode());
      String config = "{\"config_map\": {\"c.yaml\": {\"body\": \"x: 1\"}}}";
      assertProblem(
          HttpProbe.send(node.apiPort(), "PUT", "/api/agents/" + agent + "/remote-config", config, asViewer), 403, "needs the OPERATOR role");
      assertProblem(HttpProbe.send(node.apiPort(), "GET", "/api/operators", "", asViewer), 403, "ADMIN");
      assertEquals(202, HttpProbe.send(node.apiPort(), "PUT", "/api/agents/" + agent + "/remote-config", config, asAdmin).statusCode());
    }

    assertEquals(204, HttpProbe.send(node.apiPort(), "DELETE", "/api/session", "", asAdmin).statusCode());
    assertProblem(HttpProbe.send(node.apiPort(), "GET", "/api/agents", "", asAdmin), 401, "session ended");
    assertEquals(200, HttpProbe.get(node.apiPort(), "/api/health").statusCode(), "load balancers need no session");
  }

  @Test
  void withoutAConfiguredPasswordTheFirstAdminsIsGeneratedIntoTheDataDirectory() throws Exception {
    Path dataDir = TestNodes.newDataDir();
    try (SwitchboardNode fresh = SwitchboardNode.start(TestNodes.config(dataDir, Map.of("switchboard.api.auth.enabled", true)))) {
      Path file = dataDir.resolve("admin-password");
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
      String password = Files.readString(file).trim();
      assertEquals(200, HttpProbe.send(fresh.apiPort(), "POST", "/api/session", credentials("admin", password)).statusCode());
    }
  }

  private HttpResponse<String> login(String username, String password) {
    return HttpProbe.send(node.apiPort(), "POST", "/api/session", credentials(username, password));
  }

  private static String credentials(String username, String password) {
    return "{\"username\": \"" + username + "\", \"password\": \"" + password + "\"}";
  }

  /** The headers a signed-in browser sends: its session cookie and its CSRF token. */
  private Map<String, String> signedIn(HttpResponse<String> login) throws Exception {
    assertEquals(200, login.statusCode(), login.body());
    String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
    JsonNode me = json.readTree(login.body());
    return Map.of("Cookie", cookie, "X-CSRF-Token", me.path("csrf_token").asText());
  }

  private void assertProblem(HttpResponse<String> response, int status, String detail) throws Exception {
    assertEquals(status, response.statusCode(), response.body());
    assertTrue(json.readTree(response.body()).path("detail").asText().contains(detail), response.body());
  }
}
