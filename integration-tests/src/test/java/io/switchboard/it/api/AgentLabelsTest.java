package io.switchboard.it.api;

import static io.switchboard.testkit.AgentMessages.fullState;
import static io.switchboard.testkit.AgentMessages.newUid;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.switchboard.node.SwitchboardNode;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.testkit.HttpProbe;
import io.switchboard.testkit.RawAgent;
import io.switchboard.testkit.TestNodes;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Labels on an agent that connected, and the selectors that pick it by what it reported and its
 * labels.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentLabelsTest {

  private final ObjectMapper json = new ObjectMapper();
  private SwitchboardNode node;

  @BeforeAll
  void startNode() {
    node = SwitchboardNode.start(TestNodes.config());
  }

  @AfterAll
  void stopNode() {
    node.close();
  }

  @Test
  void labelsAreSetAndSelectAgents() throws Exception {
    ByteString uid = newUid();
    String agent = InstanceUid.toText(uid);
    try (RawAgent raw = RawAgent.connect(node.opampPort())) {
      raw.send(fullState(uid, 1, "labelled"));
      raw.receive();
    }
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> HttpProbe.get(node.apiPort(), "/api/agents/" + agent).statusCode() == 200);

    JsonNode labelled =
        body(
            send(
                "PUT",
                "/api/agents/" + agent + "/labels",
                "{\"labels\": {\"ring\": \"canary\", \"env\": \"prod\"}}"),
            200);
    assertEquals("canary", labelled.at("/labels/ring").asText());
    assertEquals(
        "prod",
        HttpProbe.getJson(node.apiPort(), "/api/agents/" + agent).at("/labels/env").asText());
    assertEquals(
        1,
        HttpProbe.getJson(
                node.apiPort(), "/api/agents?label=ring=canary&attribute=service.name=labelled")
            .path("agents")
            .size());
    assertEquals(
        1,
        body(
                send(
                    "POST",
                    "/api/selectors/preview",
                    "{\"attributes\": {\"service.name\": \"labelled\"}, \"labels\": {\"env\": \"prod\"}}"),
                200)
            .path("matching")
            .asInt());
    assertEquals(
        0,
        body(send("POST", "/api/selectors/preview", "{\"labels\": {\"env\": \"staging\"}}"), 200)
            .path("matching")
            .asInt());
    assertProblem(
        send("PUT", "/api/agents/" + UUID.randomUUID() + "/labels", "{\"labels\": {}}"),
        404,
        "no agent");
    assertProblem(
        send("PUT", "/api/agents/" + agent + "/labels", "{\"labels\": {\"\": \"x\"}}"),
        400,
        "label keys");
    assertProblem(send("PUT", "/api/agents/" + agent + "/labels", "{}"), 400, "labels is required");
    assertTrue(
        HttpProbe.getJson(node.apiPort(), "/api/audit?target=agent/" + agent)
            .path("events")
            .toString()
            .contains("\"before\":{}"),
        "the label change is audited with the labels before");
  }

  private HttpResponse<String> send(String method, String path, String body) {
    return HttpProbe.send(node.apiPort(), method, path, body, Map.of());
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
