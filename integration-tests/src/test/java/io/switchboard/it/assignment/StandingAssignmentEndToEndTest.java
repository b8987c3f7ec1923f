package io.switchboard.it.assignment;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.opamp.client.OpampClient;
import io.opentelemetry.opamp.client.OpampClientBuilder;
import io.opentelemetry.opamp.client.internal.connectivity.websocket.OkHttpWebSocket;
import io.opentelemetry.opamp.client.internal.request.service.WebSocketRequestService;
import io.switchboard.it.ReportingAgent;
import io.switchboard.node.SwitchboardNode;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.testkit.HttpProbe;
import io.switchboard.testkit.TestNodes;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import opamp.proto.RemoteConfigStatus;
import opamp.proto.RemoteConfigStatuses;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Standing assignments end to end, with the OpenTelemetry Java OpAMP client over a real WebSocket:
 * an assignment made before the agent exists reaches it when it connects, with no operator action;
 * relabelling moves it to a higher-priority assignment; an operator's remote config overrides both
 * until it is cleared.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StandingAssignmentEndToEndTest {

  private final ObjectMapper json = new ObjectMapper();
  private SwitchboardNode node;

  @BeforeAll
  void startNode() {
    node = SwitchboardNode.start(TestNodes.config(Map.of()));
  }

  @AfterAll
  void stopNode() {
    node.close();
  }

  @Test
  void anAgentFollowsItsWinningAssignmentAndAnOverrideBeatsItUntilCleared() throws Exception {
    String service = "checkout-" + UUID.randomUUID();
    String base = publishedConfiguration("base-", "receivers: {otlp: {}}");
    String canary =
        publishedConfiguration("canary-", "receivers: {otlp: {}}\nexporters: {debug: {}}");
    JsonNode created =
        created(
            post(
                "/api/assignments",
                "{\"name\": \"base-"
                    + service
                    + "\", \"configuration\": \""
                    + base
                    + "\", \"version\": 1, \"selector\": {\"attributes\": \"service.name="
                    + service
                    + ",os.type in (linux,darwin)\"}}"));
    assertEquals(
        "os.type in (darwin,linux),service.name=" + service,
        created.at("/selector/attributes").asText());
    assertEquals("", created.at("/selector/labels").asText());
    assertEquals(0, created.path("matched_agents").asInt());
    assertTrue(created.path("previous_version").isNull());
    assertEquals(
        409,
        post(
                "/api/assignments",
                "{\"name\": \"base-"
                    + service
                    + "\", \"configuration\": \""
                    + base
                    + "\", \"version\": 1, \"selector\": {}}")
            .statusCode());
    created(
        post(
            "/api/assignments",
            "{\"name\": \"canary-"
                + service
                + "\", \"configuration\": \""
                + canary
                + "\", \"version\": 1, \"priority\": 10, \"selector\": {\"attributes\": {\"service.name\": \""
                + service
                + "\"}, \"labels\": \"ring=canary\"}}"));

    byte[] uid = OpampClientBuilder.createRandomInstanceUid();
    String instanceUid = InstanceUid.toText(com.google.protobuf.ByteString.copyFrom(uid));
    OpampClient client =
        OpampClient.builder()
            .setInstanceUid(uid)
            .setRequestService(
                WebSocketRequestService.create(
                    OkHttpWebSocket.create("ws://127.0.0.1:" + node.opampPort() + "/v1/opamp")))
            .putIdentifyingAttribute("service.name", service)
            .putNonIdentifyingAttribute("os.type", "linux")
            .enableRemoteConfig()
            .build(ReportingAgent.applying());
    try {
      // This client describes itself only in the message after the server asks for full state,
      // which it otherwise sends 30 s later; reporting the config it starts with, as an agent does,
      // makes that message go now. No operator acts: the assignment made before
      // the agent existed reaches it.
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> "CONNECTED".equals(agent(instanceUid).path("connection_state").asText()));
      client.setRemoteConfigStatus(
          new RemoteConfigStatus.Builder()
              .last_remote_config_hash(okio.ByteString.encodeUtf8("local"))
              .status(RemoteConfigStatuses.RemoteConfigStatuses_APPLIED)
              .build());
      awaitApplied(instanceUid, base, "base-" + service, "assignment");
      assertEquals(
          1,
          HttpProbe.getJson(node.apiPort(), "/api/assignments/base-" + service)
              .path("matched_agents")
              .asInt());

      // Relabelled into the canary ring, the higher priority assignment wins.
      assertEquals(
          200,
          HttpProbe.send(
                  node.apiPort(),
                  "PUT",
                  "/api/agents/" + instanceUid + "/labels",
                  "{\"labels\": {\"ring\": \"canary\"}}")
              .statusCode());
      awaitApplied(instanceUid, canary, "canary-" + service, "assignment");

      // An operator's own config beats every assignment until it is cleared.
      HttpResponse<String> pushed =
          HttpProbe.send(
              node.apiPort(),
              "PUT",
              "/api/agents/" + instanceUid + "/remote-config",
              "{\"config_map\": {\"collector.yaml\": {\"content_type\": \"text/yaml\", \"body\": \"receivers: {}\"}}}");
      assertEquals(202, pushed.statusCode(), pushed.body());
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                JsonNode agent = agent(instanceUid);
                assertEquals(
                    "override", agent.path("desired_config_source").asText(), agent.toString());
                assertTrue(agent.path("assignment").isNull(), agent.toString());
                assertEquals("APPLIED", agent.at("/remote_config_status/status").asText());
                assertFalse(agent.path("drifted").asBoolean(), agent.toString());
              });
      // Relabelling does not undo the override.
      HttpProbe.send(
          node.apiPort(),
          "PUT",
          "/api/agents/" + instanceUid + "/labels",
          "{\"labels\": {\"ring\": \"canary\", \"zone\": \"a\"}}");
      assertEquals("override", agent(instanceUid).path("desired_config_source").asText());

      assertEquals(
          204,
          HttpProbe.send(
                  node.apiPort(), "DELETE", "/api/agents/" + instanceUid + "/remote-config", "")
              .statusCode());
      awaitApplied(instanceUid, canary, "canary-" + service, "assignment");

      // Out of the canary ring again: back to the base assignment.
      HttpProbe.send(
          node.apiPort(),
          "PUT",
          "/api/agents/" + instanceUid + "/labels",
          "{\"labels\": {\"ring\": \"main\"}}");
      awaitApplied(instanceUid, base, "base-" + service, "assignment");
    } finally {
      client.close();
    }
  }

  @Test
  void badSelectorsAndUnpublishedVersionsAreRefusedWithTheReason() throws Exception {
    String configuration = publishedConfiguration("refused-", "receivers: {}");
    HttpResponse<String> badGrammar =
        post(
            "/api/assignments",
            "{\"name\": \"bad\", \"configuration\": \""
                + configuration
                + "\", \"version\": 1, \"selector\": {\"labels\": \"env=prod,tier in (a,b\"}}");
    assertEquals(400, badGrammar.statusCode());
    assertTrue(badGrammar.body().contains("selector labels: at position 22"), badGrammar.body());
    assertEquals(
        400,
        post(
                "/api/assignments",
                "{\"name\": \"Bad Name\", \"configuration\": \""
                    + configuration
                    + "\", \"version\": 1, \"selector\": {}}")
            .statusCode());
    assertEquals(
        404,
        post(
                "/api/assignments",
                "{\"name\": \"missing\", \"configuration\": \"no-such-configuration\", \"version\": 1, \"selector\": {}}")
            .statusCode());
    created(
        post(
            "/api/configurations/" + configuration + "/versions",
            "{\"config_map\": {\"collector.yaml\": {\"content_type\": \"text/yaml\", \"body\": \"draft\"}}}"));
    assertEquals(
        400,
        post(
                "/api/assignments",
                "{\"name\": \"draft\", \"configuration\": \""
                    + configuration
                    + "\", \"version\": 2, \"selector\": {}}")
            .statusCode());
    assertEquals(404, HttpProbe.get(node.apiPort(), "/api/assignments/draft").statusCode());
    HttpResponse<String> preview =
        post("/api/selectors/preview", "{\"labels\": \"gpu,!legacy\", \"attributes\": {}}");
    assertEquals(200, preview.statusCode(), preview.body());
    assertEquals(400, post("/api/selectors/preview", "{\"labels\": \"gpu,\"}").statusCode());
  }

  private void awaitApplied(
      String instanceUid, String configuration, String assignment, String source) {
    String hash =
        HttpProbe.getJson(node.apiPort(), "/api/configurations/" + configuration + "/versions/1")
            .path("config_hash")
            .asText();
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              JsonNode agent = agent(instanceUid);
              assertEquals(assignment, agent.path("assignment").asText(), agent.toString());
              assertEquals(source, agent.path("desired_config_source").asText());
              assertEquals(hash, agent.path("desired_config_hash").asText(), agent.toString());
              assertEquals("APPLIED", agent.at("/remote_config_status/status").asText());
              assertEquals(
                  hash, agent.at("/remote_config_status/last_remote_config_hash").asText());
              assertFalse(agent.path("drifted").asBoolean(), agent.toString());
            });
  }

  private JsonNode agent(String instanceUid) {
    return HttpProbe.getJson(node.apiPort(), "/api/agents/" + instanceUid);
  }

  private String publishedConfiguration(String prefix, String body) throws Exception {
    String name = prefix + UUID.randomUUID();
    created(post("/api/configurations", "{\"name\": \"" + name + "\"}"));
    created(
        post(
            "/api/configurations/" + name + "/versions",
            "{\"config_map\": {\"collector.yaml\": {\"content_type\": \"text/yaml\", \"body\": "
                + json.writeValueAsString(body)
                + "}}}"));
    assertEquals(200, post("/api/configurations/" + name + "/versions/1/publish", "").statusCode());
    return name;
  }

  private HttpResponse<String> post(String path, String body) {
    return HttpProbe.send(node.apiPort(), "POST", path, body);
  }

  private JsonNode created(HttpResponse<String> response) throws Exception {
    assertEquals(201, response.statusCode(), response.body());
    return json.readTree(response.body());
  }
}
