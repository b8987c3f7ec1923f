package io.switchboard.it.assignment;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.it.PollingAgents;
import io.switchboard.node.SwitchboardNode;
import io.switchboard.testkit.HttpProbe;
import io.switchboard.testkit.TestNodes;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import opamp.proto.RemoteConfigStatuses;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * An assignment's version change is a rollout, with OpenTelemetry Java OpAMP clients polling over
 * HTTP as the fleet: it goes through the batches and gates asked for, the same change again makes
 * no second rollout, and a batch whose agents fail to apply pauses it while the assignment keeps
 * offering the previous version.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AssignmentVersionRolloutTest {

  private final ObjectMapper json = new ObjectMapper();
  private SwitchboardNode node;
  private PollingAgents fleet;

  @BeforeAll
  void start() {
    node = SwitchboardNode.start(TestNodes.config(Map.of("switchboard.rollouts.tick", "500ms")));
    fleet = new PollingAgents(node.opampPort());
  }

  @AfterAll
  void stop() throws Exception {
    fleet.close();
    node.close();
  }

  @Test
  void aVersionChangeRollsOutInBatchesAndTheSameChangeAgainDoesNothing() throws Exception {
    String service = "versioned-" + UUID.randomUUID();
    String name = "v-" + UUID.randomUUID();
    String configuration = configurationWithTwoVersions();
    for (int i = 0; i < 10; i++) {
      fleet.connect(service, RemoteConfigStatuses.RemoteConfigStatuses_APPLIED);
    }
    // Every agent stored first, so the assignment's set-based apply reaches them all (agents
    // described while it is made are AssignmentJoinRaceTest's); this test is about the version
    // change.
    await().atMost(Duration.ofSeconds(60)).until(() -> agents(service).size() == 10);
    created(post("/api/assignments", body(name, configuration, service)));
    awaitAllOn(service, name, hash(configuration, 1), 10);

    String change =
        "{\"version\": 2, \"strategy\": {\"type\": \"fixed\", \"batch_size\": 5},"
            + " \"gates\": {\"max_failed_ratio\": 0.2}}";
    JsonNode changed = ok(put("/api/assignments/" + name, change));
    assertEquals(2, changed.path("version").asInt());
    assertEquals(1, changed.path("previous_version").asInt(), changed.toString());
    String rollout = changed.path("rollout_id").asText();
    JsonNode started = HttpProbe.getJson(node.apiPort(), "/api/rollouts/" + rollout);
    assertEquals(2, started.path("batch_count").asInt(), started.toString());
    assertEquals("service.name=" + service, started.at("/selector/attributes").asText());

    await()
        .atMost(Duration.ofSeconds(90))
        .until(
            () ->
                HttpProbe.getJson(node.apiPort(), "/api/rollouts/" + rollout)
                    .path("state")
                    .asText()
                    .equals("COMPLETED"));
    for (JsonNode batch :
        HttpProbe.getJson(node.apiPort(), "/api/rollouts/" + rollout).path("batches")) {
      assertEquals(5, batch.path("applied").asInt(), batch.toString());
    }
    awaitAllOn(service, name, hash(configuration, 2), 10);
    JsonNode done = HttpProbe.getJson(node.apiPort(), "/api/assignments/" + name);
    assertTrue(done.path("previous_version").isNull(), done.toString());

    JsonNode again = ok(put("/api/assignments/" + name, change));
    assertEquals(rollout, again.path("rollout_id").asText(), "no second rollout");
    assertEquals(done.path("updated_at").asText(), again.path("updated_at").asText());
  }

  @Test
  void aBatchThatFailsPausesTheRolloutAndJoinersGetThePreviousVersion() throws Exception {
    String service = "failing-" + UUID.randomUUID();
    String name = "f-" + UUID.randomUUID();
    String configuration = configurationWithTwoVersions();
    for (int i = 0; i < 6; i++) {
      fleet.connect(service, RemoteConfigStatuses.RemoteConfigStatuses_FAILED);
    }
    created(post("/api/assignments", body(name, configuration, service)));
    // These agents fail every config, so their envelopes end FAILED: wait for them to be matched.
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                HttpProbe.getJson(node.apiPort(), "/api/assignments/" + name)
                        .path("matched_agents")
                        .asInt()
                    == 6);

    String rollout =
        ok(put(
                "/api/assignments/" + name,
                "{\"version\": 2, \"strategy\": {\"type\": \"fixed\", \"batch_size\": 3}}"))
            .path("rollout_id")
            .asText();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                HttpProbe.getJson(node.apiPort(), "/api/rollouts/" + rollout)
                    .path("state")
                    .asText()
                    .equals("PAUSED"));
    JsonNode paused = HttpProbe.getJson(node.apiPort(), "/api/rollouts/" + rollout);
    assertTrue(paused.path("detail").asText().contains("apply-failed"), paused.toString());
    assertEquals(3, paused.at("/batches/1/not_dispatched").asInt(), paused.toString());
    assertEquals(
        1,
        HttpProbe.getJson(node.apiPort(), "/api/assignments/" + name)
            .path("previous_version")
            .asInt(),
        "while the rollout is paused, agents that join get version 1");
  }

  private void awaitAllOn(String service, String name, String hash, int count) {
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              int on = 0;
              for (JsonNode agent : agents(service)) {
                if (name.equals(agent.path("assignment").asText())
                    && hash.equals(
                        agent.at("/remote_config_status/last_remote_config_hash").asText())
                    && "APPLIED".equals(agent.at("/remote_config_status/status").asText())) {
                  on++;
                }
              }
              assertEquals(count, on);
            });
  }

  private JsonNode agents(String service) {
    return HttpProbe.getJson(
            node.apiPort(), "/api/agents?limit=100&attribute=service.name=" + service)
        .path("agents");
  }

  private String hash(String configuration, int version) {
    return HttpProbe.getJson(
            node.apiPort(), "/api/configurations/" + configuration + "/versions/" + version)
        .path("config_hash")
        .asText();
  }

  private static String body(String name, String configuration, String service) {
    return "{\"name\": \""
        + name
        + "\", \"configuration\": \""
        + configuration
        + "\", \"version\": 1, \"selector\": {\"attributes\": \"service.name="
        + service
        + "\"}}";
  }

  private String configurationWithTwoVersions() throws Exception {
    String name = "collector-" + UUID.randomUUID();
    created(post("/api/configurations", "{\"name\": \"" + name + "\"}"));
    for (int version = 1; version <= 2; version++) {
      created(
          post(
              "/api/configurations/" + name + "/versions",
              "{\"config_map\": {\"collector.yaml\": {\"content_type\": \"text/yaml\", \"body\": \"v"
                  + version
                  + "\"}}}"));
      assertEquals(
          200,
          post("/api/configurations/" + name + "/versions/" + version + "/publish", "")
              .statusCode());
    }
    return name;
  }

  private HttpResponse<String> post(String path, String body) {
    return HttpProbe.send(node.apiPort(), "POST", path, body);
  }

  private HttpResponse<String> put(String path, String body) {
    return HttpProbe.send(node.apiPort(), "PUT", path, body);
  }

  private JsonNode created(HttpResponse<String> response) throws Exception {
    assertEquals(201, response.statusCode(), response.body());
    return json.readTree(response.body());
  }

  private JsonNode ok(HttpResponse<String> response) throws Exception {
    assertEquals(200, response.statusCode(), response.body());
    return json.readTree(response.body());
  }
}
