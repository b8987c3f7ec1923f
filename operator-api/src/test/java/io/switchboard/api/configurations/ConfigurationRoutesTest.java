package io.switchboard.api.configurations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.switchboard.api.TestApi;
import io.switchboard.opamp.ConfigHash;
import io.switchboard.opamp.proto.AgentConfigFile;
import io.switchboard.opamp.proto.AgentConfigMap;
import io.switchboard.testkit.HttpProbe;
import java.net.http.HttpResponse;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Configurations and their versions through the REST API: drafted, published, archived, diffed,
 * audited.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConfigurationRoutesTest {

  private static final String V1 =
      "{\"config_map\": {\"collector.yaml\": {\"content_type\": \"text/yaml\", \"body\": \"a: 1\\nb: 2\"}}}";
  private static final String V2 =
      "{\"config_map\": {\"collector.yaml\": {\"content_type\": \"text/yaml\", \"body\": \"a: 1\\nb: 3\"},"
          + " \"extra.yaml\": {\"body\": \"c: 1\"}}}";

  private final ObjectMapper json = new ObjectMapper();
  private TestApi api;

  @BeforeAll
  void startApi() {
    api = TestApi.start();
  }

  @AfterAll
  void stopApi() {
    api.close();
  }

  @Test
  void versionsAreDraftedPublishedArchivedAndDiffed() throws Exception {
    String name = "gateway-" + UUID.randomUUID();
    String path = "/api/configurations/" + name;
    assertEquals(
        201, send("POST", "/api/configurations", "{\"name\": \"" + name + "\"}").statusCode());
    assertProblem(
        send("POST", "/api/configurations", "{\"name\": \"" + name + "\"}"), 409, "exists");

    JsonNode first = body(send("POST", path + "/versions", V1), 201);
    assertEquals(1, first.path("version").asInt());
    assertEquals(
        HexFormat.of().formatHex(ConfigHash.of(config("a: 1\nb: 2")).toByteArray()),
        first.path("config_hash").asText());
    assertEquals(200, send("PUT", path + "/versions/1", V2).statusCode(), "a draft can change");
    assertEquals(200, send("PUT", path + "/versions/1", V1).statusCode());
    assertEquals(
        "PUBLISHED",
        body(send("POST", path + "/versions/1/publish", ""), 200).path("state").asText());
    assertProblem(send("PUT", path + "/versions/1", V2), 409, "only a draft");
    assertProblem(send("POST", path + "/versions/1/publish", ""), 409, "only a draft");
    assertEquals(2, body(send("POST", path + "/versions", V2), 201).path("version").asInt());

    JsonNode diff = HttpProbe.getJson(api.port(), path + "/diff?from=1&to=2");
    assertEquals("changed", diff.at("/files/0/change").asText());
    assertTrue(
        diff.at("/files/0/diff").asText().contains("-b: 2")
            && diff.at("/files/0/diff").asText().contains("+b: 3"),
        diff.toString());
    assertEquals("added", diff.at("/files/1/change").asText());

    assertEquals(
        "ARCHIVED",
        body(send("POST", path + "/versions/1/archive", ""), 200).path("state").asText());
    JsonNode configuration = HttpProbe.getJson(api.port(), path);
    assertEquals("ARCHIVED", configuration.at("/versions/0/state").asText());
    assertEquals("DRAFT", configuration.at("/versions/1/state").asText());
    assertTrue(
        HttpProbe.getJson(api.port(), "/api/audit?target=configuration/" + name + "/1")
                .path("events")
                .size()
            >= 4,
        "create, two edits, publish and archive are audited");
  }

  @Test
  void aVersionRecordsTheCommitItWasDeclaredIn() throws Exception {
    String name = "declared-" + UUID.randomUUID();
    String path = "/api/configurations/" + name;
    send("POST", "/api/configurations", "{\"name\": \"" + name + "\"}");
    String declared = V1.replace("}}}", "}}, \"source_commit\": \"3f2a9c1\"}");
    assertEquals(
        "3f2a9c1",
        body(send("POST", path + "/versions", declared), 201).path("source_commit").asText());
    assertEquals(
        "3f2a9c1",
        HttpProbe.getJson(api.port(), path + "/versions/1").path("source_commit").asText());
    assertTrue(
        body(send("POST", path + "/versions", V1), 201).path("source_commit").isNull(),
        "by hand: none");
    assertTrue(
        HttpProbe.getJson(api.port(), "/api/audit?target=configuration/" + name + "/1")
            .toString()
            .contains("3f2a9c1"),
        "the audit names the commit");
    assertProblem(
        send("POST", path + "/versions", V1.replace("}}}", "}}, \"source_commit\": \"a b\"}")),
        400,
        "source_commit");
  }

  @Test
  void badConfigurationRequestsGetProblemDetails() throws Exception {
    String name = "bad-" + UUID.randomUUID();
    assertProblem(
        send("POST", "/api/configurations", "{\"name\": \"has spaces\"}"), 400, "name must be");
    assertProblem(
        send("POST", "/api/configurations/" + name + "/versions", V1), 404, "no configuration");
    send("POST", "/api/configurations", "{\"name\": \"" + name + "\"}");
    assertProblem(
        send("POST", "/api/configurations/" + name + "/versions", "{\"config_map\": {}}"),
        400,
        "at least one file");
    assertProblem(
        send(
            "POST",
            "/api/configurations/" + name + "/versions",
            "{\"config_map\": {\"a\": {\"body\": 3}}}"),
        400,
        "has no body");
    assertProblem(
        send("POST", "/api/configurations/" + name + "/versions/7/publish", ""),
        404,
        "no version 7");
    assertProblem(
        HttpProbe.get(api.port(), "/api/configurations/" + name + "/diff?from=x"), 400, "from");
  }

  private static AgentConfigMap config(String body) {
    return AgentConfigMap.newBuilder()
        .putConfigMap(
            "collector.yaml",
            AgentConfigFile.newBuilder()
                .setContentType("text/yaml")
                .setBody(ByteString.copyFromUtf8(body))
                .build())
        .build();
  }

  private HttpResponse<String> send(String method, String path, String body) {
    return HttpProbe.send(api.port(), method, path, body, Map.of());
  }

  private JsonNode body(HttpResponse<String> response, int status) throws Exception {
    assertEquals(status, response.statusCode(), response.body());
    return json.readTree(response.body());
  }

  private void assertProblem(HttpResponse<String> response, int status, String detail)
      throws Exception {
    assertEquals(status, response.statusCode(), response.body());
    assertTrue(
        json.readTree(response.body()).path("detail").asText().contains(detail), response.body());
  }
}
