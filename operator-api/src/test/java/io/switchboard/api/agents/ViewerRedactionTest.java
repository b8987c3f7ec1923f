package io.switchboard.api.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.api.TestApi;
import io.switchboard.testkit.FleetTable;
import io.switchboard.testkit.HttpProbe;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Lists carry no effective configs; a VIEWER sees configured keys' values redacted. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ViewerRedactionTest {

  private static final String ADMIN_PASSWORD = "correct horse battery";
  private static final String CONFIG =
      "exporters:\n  otlp:\n    endpoint: collector:4317\n    headers:\n"
          + "      Authorization: Bearer s3cr3t\n  kafka:\n    password: hunter2\n";

  private final ObjectMapper json = new ObjectMapper();
  private TestApi api;
  private Map<String, String> admin;
  private Map<String, String> viewer;
  private String agent;

  @BeforeAll
  void start() throws Exception {
    api =
        TestApi.start(
            Map.of(
                "switchboard.api.auth.enabled",
                true,
                "switchboard.api.auth.admin-password",
                ADMIN_PASSWORD,
                "switchboard.api.viewer-redacted-keys",
                "password, authorization"));
    admin = signIn("admin", ADMIN_PASSWORD);
    HttpProbe.send(
        api.port(),
        "POST",
        "/api/operators",
        "{\"username\": \"watcher\", \"password\": \"a long viewer password\", \"role\": \"VIEWER\"}",
        admin);
    viewer = signIn("watcher", "a long viewer password");
    agent = UUID.randomUUID().toString();
    FleetTable.reported(api.db(), List.of(agent));
    String effective =
        json.writeValueAsString(
            Map.of("config_map", Map.of("collector.yaml", Map.of("body", CONFIG))));
    api.db()
        .execute(
            "UPDATE agents SET effective_config = '"
                + effective.replace("'", "''")
                + "'::jsonb WHERE instance_uid = '"
                + agent
                + "'");
  }

  @AfterAll
  void stop() {
    api.close();
  }

  @Test
  void aViewerSeesConfiguredKeysRedactedAndAnOperatorSeesThemAll() throws Exception {
    String seenByViewer = body(viewer);
    assertFalse(seenByViewer.contains("hunter2"), seenByViewer);
    assertFalse(seenByViewer.contains("s3cr3t"), seenByViewer);
    assertTrue(seenByViewer.contains("password: \"<redacted>\""), seenByViewer);
    assertTrue(
        seenByViewer.contains("endpoint: collector:4317"), "other keys stay: " + seenByViewer);
    assertEquals(CONFIG, body(admin), "an ADMIN sees the config as reported");
  }

  @Test
  void listsLeaveEffectiveConfigsOut() throws Exception {
    HttpResponse<String> listed = HttpProbe.send(api.port(), "GET", "/api/agents", "", admin);
    assertEquals(200, listed.statusCode(), listed.body());
    JsonNode first = json.readTree(listed.body()).path("agents").get(0);
    assertTrue(first.has("instance_uid"));
    assertFalse(first.has("effective_config"), first.toString());
  }

  private String body(Map<String, String> as) throws Exception {
    HttpResponse<String> one = HttpProbe.send(api.port(), "GET", "/api/agents/" + agent, "", as);
    assertEquals(200, one.statusCode(), one.body());
    return json.readTree(one.body())
        .at("/effective_config/config_map/collector.yaml/body")
        .asText();
  }

  private Map<String, String> signIn(String username, String password) throws Exception {
    HttpResponse<String> login =
        HttpProbe.send(
            api.port(),
            "POST",
            "/api/session",
            "{\"username\": \"" + username + "\", \"password\": \"" + password + "\"}");
    assertEquals(200, login.statusCode(), login.body());
    return Map.of(
        "Cookie",
        login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0],
        "X-CSRF-Token",
        json.readTree(login.body()).path("csrf_token").asText());
  }
}
