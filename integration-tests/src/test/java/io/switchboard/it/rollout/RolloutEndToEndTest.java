package io.switchboard.it.rollout;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.it.PollingAgents;
import io.switchboard.node.SwitchboardNode;
import io.switchboard.testkit.FreePorts;
import io.switchboard.testkit.HttpProbe;
import io.switchboard.testkit.Scrape;
import io.switchboard.testkit.TestNodes;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import opamp.proto.RemoteConfigStatuses;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Operator intent end to end, with OpenTelemetry Java OpAMP clients (polling over HTTP) as the
 * fleet: a configuration is published and rolled out in batches; the rollout completes as agents
 * apply it, carries on after the node driving it restarts, and pauses by itself when agents fail to
 * apply.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RolloutEndToEndTest {

  private final ObjectMapper json = new ObjectMapper();
  private final Path dataDir = TestNodes.newDataDir();
  private final int opampPort = FreePorts.next();
  private final int apiPort = FreePorts.next();
  private final PollingAgents fleet = new PollingAgents(opampPort);
  private SwitchboardNode node;

  @BeforeAll
  void startNode() {
    node = startNodeOnItsPorts();
  }

  @AfterAll
  void stop() throws Exception {
    fleet.close();
    node.close();
  }

  @Test
  void aRolloutInFourBatchesCompletesAsAgentsApplyItEvenAcrossANodeRestart() throws Exception {
    String service = "rollout-" + UUID.randomUUID();
    for (int i = 0; i < 20; i++) {
      fleet.connect(service, RemoteConfigStatuses.RemoteConfigStatuses_APPLIED);
    }
    awaitConnected(service, 20);
    String configuration = publishedConfiguration(1);

    JsonNode rollout =
        created(
            post(
                "/api/rollouts",
                rolloutBody(
                    configuration, 1, service, "{\"type\": \"fixed\", \"batch_size\": 5}")));
    assertEquals(4, rollout.path("batch_count").asInt());
    String id = rollout.path("id").asText();

    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> rollout(id).path("current_batch").asInt() >= 1);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              Scrape scrape = Scrape.of(node.metricsPort());
              assertEquals(4, rolloutGauge(scrape, "switchboard_rollout_batches", id));
              assertEquals(0, rolloutGauge(scrape, "switchboard_rollout_paused", id));
              assertTrue(rolloutGauge(scrape, "switchboard_rollout_current_batch", id) >= 1);
              assertTrue(agents(scrape, id, "applied") >= 5, "the first batch applied");
              assertEquals(
                  20,
                  scrape.sum("switchboard_rollout_agents", Map.of("rollout", id)).orElse(-1),
                  "each target once");
            });
    node.close();
    node = startNodeOnItsPorts();

    await()
        .atMost(Duration.ofSeconds(120))
        .until(() -> rollout(id).path("state").asText().equals("COMPLETED"));
    awaitNoRolloutSeries(id);
    for (JsonNode batch : rollout(id).path("batches")) {
      assertEquals(5, batch.path("targets").asInt());
      assertEquals(5, batch.path("applied").asInt(), batch.toString());
    }
    JsonNode agents =
        HttpProbe.getJson(apiPort, "/api/agents?limit=100&attribute=service.name=" + service)
            .path("agents");
    for (JsonNode agent : agents) {
      assertEquals("APPLIED", agent.at("/remote_config_status/status").asText());
    }
    assertTrue(
        HttpProbe.getJson(apiPort, "/api/audit?target=rollout/" + id)
            .path("events")
            .toString()
            .contains("rollout.completed"),
        "the driver's own moves are audited");
  }

  @Test
  void aRolloutPausesItselfWhenABatchFailsAndRollsBack() throws Exception {
    String service = "failing-" + UUID.randomUUID();
    for (int i = 0; i < 10; i++) {
      fleet.connect(service, RemoteConfigStatuses.RemoteConfigStatuses_FAILED);
    }
    awaitConnected(service, 10);
    String configuration = publishedConfiguration(2);

    String id =
        created(
                post(
                    "/api/rollouts",
                    rolloutBody(
                        configuration, 2, service, "{\"type\": \"fixed\", \"batch_size\": 5}")))
            .path("id")
            .asText();

    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> rollout(id).path("state").asText().equals("PAUSED"));
    JsonNode paused = rollout(id);
    assertTrue(paused.path("detail").asText().contains("apply-failed"), paused.toString());
    assertEquals(0, paused.path("current_batch").asInt());
    assertEquals(
        5, paused.at("/batches/1/not_dispatched").asInt(), "the second batch never started");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              Scrape scrape = Scrape.of(node.metricsPort());
              assertEquals(1, rolloutGauge(scrape, "switchboard_rollout_paused", id));
              assertEquals(0, rolloutGauge(scrape, "switchboard_rollout_current_batch", id));
              assertEquals(5, agents(scrape, id, "not-dispatched"));
              assertTrue(agents(scrape, id, "failed") >= 1, "the gate tripped on failures");
              assertEquals(
                  5,
                  agents(scrape, id, "failed")
                      + agents(scrape, id, "open")
                      + agents(scrape, id, "expired"));
            });

    assertEquals(
        409,
        post("/api/rollouts/" + id + "/pause", "").statusCode(),
        "a paused rollout cannot be paused");
    HttpResponse<String> rolledBack = post("/api/rollouts/" + id + "/rollback", "");
    assertEquals(200, rolledBack.statusCode(), rolledBack.body());
    assertEquals("ROLLED_BACK", json.readTree(rolledBack.body()).path("state").asText());
    assertEquals(1, json.readTree(rolledBack.body()).path("previous_version").asInt());
    assertEquals(
        409,
        post("/api/rollouts/" + id + "/resume", "").statusCode(),
        "a rolled back rollout is final");
    awaitNoRolloutSeries(id);
  }

  @Test
  void badRolloutsAreRefusedWithProblemDetails() throws Exception {
    String configuration = publishedConfiguration(1);
    assertProblem(post("/api/rollouts", "{not json"), 400, "unreadable body");
    assertProblem(
        post("/api/rollouts", "{\"configuration\": \"" + configuration + "\"}"), 400, "required");
    assertProblem(
        post("/api/rollouts", rolloutBody(configuration, 1, "x", "{\"type\": \"waves\"}")),
        400,
        "strategy.type");
    assertProblem(
        post("/api/rollouts", rolloutBody(configuration, 9, "x", "{\"type\": \"all\"}")),
        404,
        "no version 9");
    assertProblem(
        post(
            "/api/rollouts",
            rolloutBody(configuration, 1, "no-such-service", "{\"type\": \"all\"}")),
        422,
        "no agent matches");
    assertProblem(post("/api/rollouts/" + UUID.randomUUID() + "/pause", ""), 404, "no rollout");
    assertProblem(HttpProbe.get(apiPort, "/api/rollouts/not-a-uuid"), 400, "UUID");
  }

  /** A configuration whose versions 1 to {@code versions} are published; returns its name. */
  private String publishedConfiguration(int versions) throws Exception {
    String name = "collector-" + UUID.randomUUID();
    created(
        post(
            "/api/configurations",
            "{\"name\": \"" + name + "\", \"description\": \"the collector\"}"));
    for (int version = 1; version <= versions; version++) {
      JsonNode created =
          created(
              post(
                  "/api/configurations/" + name + "/versions",
                  "{\"config_map\": {\"collector.yaml\": {\"content_type\": \"text/yaml\", \"body\": \"exporters: {v"
                      + version
                      + ": {}}\"}}}"));
      assertEquals(version, created.path("version").asInt());
      assertEquals("DRAFT", created.path("state").asText());
      HttpResponse<String> published =
          post("/api/configurations/" + name + "/versions/" + version + "/publish", "");
      assertEquals(200, published.statusCode(), published.body());
    }
    return name;
  }

  private static String rolloutBody(
      String configuration, int version, String service, String strategy) {
    return "{\"configuration\": \""
        + configuration
        + "\", \"version\": "
        + version
        + ", \"selector\": {\"attributes\": {\"service.name\": \""
        + service
        + "\"}}, \"strategy\": "
        + strategy
        + "}";
  }

  private void awaitConnected(String service, int count) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                HttpProbe.getJson(
                            apiPort,
                            "/api/agents?limit=100&connection_state=CONNECTED&attribute=service.name="
                                + service)
                        .path("agents")
                        .size()
                    == count);
  }

  /** A rollout's series are gone once it ended. */
  private void awaitNoRolloutSeries(String id) {
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertEquals(
                    List.of(),
                    Scrape.of(node.metricsPort()).startingWith("switchboard_rollout_").stream()
                        .filter(sample -> id.equals(sample.labels().get("rollout")))
                        .toList()));
  }

  private static double rolloutGauge(Scrape scrape, String gauge, String id) {
    return scrape.sum(gauge, Map.of("rollout", id)).orElse(-1);
  }

  private static double agents(Scrape scrape, String id, String state) {
    return scrape
        .sum("switchboard_rollout_agents", Map.of("rollout", id, "state", state))
        .orElse(-1);
  }

  private SwitchboardNode startNodeOnItsPorts() {
    return SwitchboardNode.start(
        TestNodes.config(
            dataDir, Map.of("switchboard.opamp.port", opampPort, "switchboard.api.port", apiPort)));
  }

  private JsonNode rollout(String id) {
    return HttpProbe.getJson(apiPort, "/api/rollouts/" + id);
  }

  private HttpResponse<String> post(String path, String body) {
    return HttpProbe.send(apiPort, "POST", path, body);
  }

  private JsonNode created(HttpResponse<String> response) throws Exception {
    assertEquals(201, response.statusCode(), response.body());
    return json.readTree(response.body());
  }

  private void assertProblem(HttpResponse<String> response, int status, String detail)
      throws Exception {
    assertEquals(status, response.statusCode(), response.body());
    assertTrue(
        json.readTree(response.body()).path("detail").asText().contains(detail), response.body());
  }
}
