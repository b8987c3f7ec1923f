package io.switchboard.api.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.api.TestApi;
import io.switchboard.testkit.FleetTable;
import io.switchboard.testkit.HttpProbe;
import io.switchboard.testkit.TestNodes;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Operators sign in, and the API holds each to their role, with CSRF protection on changes. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OperatorSignInTest {

  private static final String ADMIN_PASSWORD = "correct horse battery";

  private final ObjectMapper json = new ObjectMapper();
  private TestApi api;

  @BeforeAll
  void startApi() {
    api =
        TestApi.start(
            Map.of(
                "switchboard.api.auth.enabled",
                true,
                "switchboard.api.auth.admin-password",
                ADMIN_PASSWORD));
  }

  @AfterAll
  void stopApi() {
    api.close();
  }

  @Test
  void rolesAreEnforcedByTheApi() throws Exception {
    assertProblem(HttpProbe.get(api.port(), "/api/agents"), 401, "sign in first");
    assertProblem(login("admin", "wrong password"), 401, "wrong username or password");

    HttpResponse<String> admin = login("admin", ADMIN_PASSWORD);
    assertEquals(200, admin.statusCode(), admin.body());
    String setCookie = admin.headers().firstValue("Set-Cookie").orElseThrow();
    assertTrue(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict"), setCookie);
    Map<String, String> asAdmin = signedIn(admin);

    String viewer = "viewer-" + System.nanoTime();
    String account =
        "{\"username\": \""
            + viewer
            + "\", \"password\": \"a long viewer password\", \"role\": \"VIEWER\"}";
    assertProblem(
        HttpProbe.send(
            api.port(), "POST", "/api/operators", account, Map.of("Cookie", asAdmin.get("Cookie"))),
        403,
        "X-CSRF-Token");
    assertEquals(
        201, HttpProbe.send(api.port(), "POST", "/api/operators", account, asAdmin).statusCode());
    assertTrue(
        HttpProbe.send(api.port(), "GET", "/api/audit?target=operator/" + viewer, "", asAdmin)
            .body()
            .contains("\"actor\":\"admin\""),
        "the audit log names the signed-in operator");

    // An agent that reported once: its entity (stood in for) takes what the admin sends it.
    String agent = UUID.randomUUID().toString();
    FleetTable.reported(api.db(), List.of(agent));
    assertEquals(
        200, HttpProbe.send(api.port(), "GET", "/api/agents/" + agent, "", asAdmin).statusCode());

    Map<String, String> asViewer = signedIn(login(viewer, "a long viewer password"));
    assertEquals(
        200, HttpProbe.send(api.port(), "GET", "/api/agents/" + agent, "", asViewer).statusCode());
    String config = "{\"config_map\": {\"c.yaml\": {\"body\": \"x: 1\"}}}";
    assertProblem(
        HttpProbe.send(
            api.port(), "PUT", "/api/agents/" + agent + "/remote-config", config, asViewer),
        403,
        "needs the OPERATOR role");
    assertProblem(HttpProbe.send(api.port(), "GET", "/api/operators", "", asViewer), 403, "ADMIN");
    assertEquals(
        "0",
        api.db()
            .queryForString(
                "SELECT count(*) FROM dispatch_envelopes WHERE instance_uid = ?", agent),
        "refused: nothing stored");
    assertEquals(
        202,
        HttpProbe.send(
                api.port(), "PUT", "/api/agents/" + agent + "/remote-config", config, asAdmin)
            .statusCode());
    assertEquals(
        "admin",
        api.db()
            .queryForString(
                "SELECT created_by FROM dispatch_envelopes WHERE instance_uid = ?", agent));

    assertEquals(
        204, HttpProbe.send(api.port(), "DELETE", "/api/session", "", asAdmin).statusCode());
    assertProblem(
        HttpProbe.send(api.port(), "GET", "/api/agents", "", asAdmin), 401, "session ended");
    assertEquals(
        200,
        HttpProbe.get(api.port(), "/api/health").statusCode(),
        "load balancers need no session");
  }

  @Test
  void withoutAConfiguredPasswordTheFirstAdminsIsGeneratedIntoTheDataDirectory() throws Exception {
    Path dataDir = TestNodes.newDataDir();
    try (TestApi fresh = TestApi.start(dataDir, Map.of("switchboard.api.auth.enabled", true))) {
      Path file = dataDir.resolve("admin-password");
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
      String password = Files.readString(file).trim();
      assertEquals(
          200,
          HttpProbe.send(fresh.port(), "POST", "/api/session", credentials("admin", password))
              .statusCode());
    }
  }

  private HttpResponse<String> login(String username, String password) {
    return HttpProbe.send(api.port(), "POST", "/api/session", credentials(username, password));
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

  private void assertProblem(HttpResponse<String> response, int status, String detail)
      throws Exception {
    assertEquals(status, response.statusCode(), response.body());
    assertTrue(
        json.readTree(response.body()).path("detail").asText().contains(detail), response.body());
  }
}
