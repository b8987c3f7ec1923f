package io.switchboard.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.testkit.FleetTable;
import io.switchboard.testkit.HttpProbe;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Requests the API cannot serve (bad parameters, unreadable or invalid bodies, unknown agents and
 * envelopes, unknown paths, wrong methods) are answered with a problem-details body that says why,
 * and change nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProblemDetailsTest {

  private static final String CONFIG =
      "{\"config_map\": {\"collector.yaml\": {\"content_type\": \"text/yaml\", \"body\": \"exporters: {}\"}}}";

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
  void badAgentQueriesGetProblemDetails() throws Exception {
    assertProblem(
        HttpProbe.get(api.port(), "/api/agents?limit=lots"), 400, "limit must be a whole number");
    assertProblem(HttpProbe.get(api.port(), "/api/agents?limit=0"), 400, "between 1 and 1000");
    assertProblem(HttpProbe.get(api.port(), "/api/agents?limit=1001"), 400, "between 1 and 1000");
    assertProblem(
        HttpProbe.get(api.port(), "/api/agents/not-a-uid"), 400, "is not an instance_uid");
    String unknown = UUID.randomUUID().toString();
    assertProblem(HttpProbe.get(api.port(), "/api/agents/" + unknown), 404, "no agent " + unknown);
    assertProblem(HttpProbe.get(api.port(), "/api/nothing-here"), 404, "no API resource");
    assertProblem(
        HttpProbe.get(api.port(), "/api/agents?healthy=maybe"),
        400,
        "healthy must be true or false");
    assertProblem(HttpProbe.get(api.port(), "/api/agents?colour=blue"), 400, "unknown parameter");
  }

  @Test
  void badRequestsAndUnknownAgentsGetProblemDetails() throws Exception {
    String unknown = "/api/agents/" + UUID.randomUUID();
    assertProblem(
        HttpProbe.send(api.port(), "PUT", unknown + "/remote-config", CONFIG), 404, "no agent");
    assertProblem(HttpProbe.send(api.port(), "POST", unknown + "/restart", ""), 404, "no agent");
    assertProblem(
        HttpProbe.send(api.port(), "PUT", unknown + "/remote-config", "{not json"),
        400,
        "unreadable body");
    assertProblem(
        HttpProbe.send(api.port(), "PUT", unknown + "/remote-config", "{\"config_map\": {}}"),
        400,
        "at least one file");
    assertProblem(
        HttpProbe.send(
            api.port(), "PUT", unknown + "/remote-config", "{\"config_map\": {\"a.yaml\": {}}}"),
        400,
        "has no body");
    assertProblem(
        HttpProbe.send(
            api.port(),
            "POST",
            unknown + "/custom-messages",
            "{\"capability\": \"c\", \"type\": \"t\", \"data\": \"***\"}"),
        400,
        "base64");
    assertProblem(HttpProbe.send(api.port(), "GET", unknown + "/restart", ""), 405, "POST");
    api.entities().expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void badEnvelopeRequestsGetProblemDetails() throws Exception {
    String uid = UUID.randomUUID().toString();
    String path = "/api/agents/" + uid;
    FleetTable.reported(api.db(), List.of(uid));

    assertProblem(
        HttpProbe.send(api.port(), "POST", path + "/restart?deadline=soon", ""), 400, "ISO-8601");
    assertProblem(
        HttpProbe.send(api.port(), "POST", path + "/restart?deadline=PT0S", ""), 400, "positive");
    assertProblem(
        HttpProbe.send(api.port(), "POST", path + "/restart?deadline=P30D", ""), 400, "at most");
    assertProblem(
        HttpProbe.get(api.port(), "/api/envelopes/" + UUID.randomUUID()), 404, "no envelope");
    assertProblem(HttpProbe.get(api.port(), "/api/envelopes/not-a-uuid"), 400, "UUID");
    assertProblem(
        HttpProbe.get(api.port(), "/api/envelopes?state=LOST"), 400, "state must be one of");
    assertProblem(HttpProbe.get(api.port(), "/api/envelopes?colour=red"), 400, "unknown parameter");
    assertProblem(HttpProbe.get(api.port(), "/api/audit?before=-3"), 400, "positive");
    assertEquals(
        0,
        HttpProbe.getJson(api.port(), "/api/envelopes?agent=" + uid).path("envelopes").size(),
        "refused requests leave no envelope");
    api.entities().expectNoMessage(Duration.ofMillis(200));
  }

  private void assertProblem(HttpResponse<String> response, int status, String detailFragment)
      throws Exception {
    assertEquals(status, response.statusCode(), response.body());
    assertEquals(
        "application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
    JsonNode problem = json.readTree(response.body());
    assertEquals(status, problem.get("status").asInt());
    assertTrue(
        problem.get("detail").asText().contains(detailFragment),
        () ->
            "detail '"
                + problem.get("detail").asText()
                + "' should mention '"
                + detailFragment
                + "'");
  }
}
