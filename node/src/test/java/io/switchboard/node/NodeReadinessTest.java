package io.switchboard.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.testkit.AgentMessages;
import io.switchboard.testkit.HttpProbe;
import io.switchboard.testkit.RawAgent;
import io.switchboard.testkit.TestDatabase;
import io.switchboard.testkit.TestNodes;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A node on an external PostgreSQL (given by URL, as an operator would): it uses the database it is
 * configured with, and its readiness (Pekko Management's /ready, with the node's checks) and the
 * API's health follow the database and the status writes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NodeReadinessTest {

  private final ObjectMapper json = new ObjectMapper();
  private TestDatabase external;
  private SwitchboardNode node;

  @BeforeAll
  void start() {
    external = TestDatabase.start();
    node =
        SwitchboardNode.start(
            TestNodes.config(
                Map.of(
                    "switchboard.database.url",
                    "postgresql://"
                        + external.host()
                        + ":"
                        + external.port()
                        + "/"
                        + external.databaseName(),
                    "switchboard.database.user",
                    external.user(),
                    "switchboard.status-writer.retry-backoff-min",
                    "50ms",
                    "switchboard.status-writer.retry-backoff-max",
                    "200ms",
                    "switchboard.status-writer.not-ready-after-failures",
                    3)));
  }

  @AfterAll
  void stop() {
    node.close();
    external.close();
  }

  @Test
  void theNodeUsesTheConfiguredDatabaseAndIsReady() {
    assertEquals(
        "agents", external.queryForString("SELECT to_regclass('agents')::text"), "migrated there");
    assertEquals(external.port(), node.database().endpoint().port());
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> assertEquals(200, HttpProbe.get(node.managementPort(), "/ready").statusCode()));
    assertEquals(200, HttpProbe.get(node.managementPort(), "/alive").statusCode());
    assertEquals("UP", HttpProbe.getJson(node.apiPort(), "/api/health").path("status").asText());
  }

  @Test
  void withoutItsDatabaseTheNodeIsNotReadyAndTheApiSaysRetry() throws Exception {
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> assertEquals(200, HttpProbe.get(node.managementPort(), "/ready").statusCode()));

    external.stopServer();
    try {
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () -> assertTrue(HttpProbe.get(node.managementPort(), "/ready").statusCode() >= 500));
      assertProblem(HttpProbe.get(node.apiPort(), "/api/agents"), 503, "retry");
      assertEquals(
          200,
          HttpProbe.get(node.managementPort(), "/alive").statusCode(),
          "alive: no reason to restart");
    } finally {
      external.startServer();
    }

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> assertEquals(200, HttpProbe.get(node.managementPort(), "/ready").statusCode()));
    assertEquals(200, HttpProbe.get(node.apiPort(), "/api/agents").statusCode());
  }

  @Test
  void failingStatusWritesMakeTheNodeNotReadyUntilTheyRecover() throws Exception {
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> assertEquals(200, HttpProbe.get(node.managementPort(), "/ready").statusCode()));
    external.execute("ALTER TABLE agents ADD CONSTRAINT writes_refused CHECK (false) NOT VALID");
    var uid = AgentMessages.newUid();
    try (RawAgent agent = RawAgent.connect(node.opampPort())) {
      agent.send(AgentMessages.fullState(uid, 1, "refused"));
      agent.receive();

      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> assertTrue(HttpProbe.get(node.managementPort(), "/ready").statusCode() >= 500));
      assertEquals(
          200,
          HttpProbe.get(node.apiPort(), "/api/agents").statusCode(),
          "the database itself answers");

      external.execute("ALTER TABLE agents DROP CONSTRAINT writes_refused");
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> assertEquals(200, HttpProbe.get(node.managementPort(), "/ready").statusCode()));
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertEquals(
                      "refused",
                      HttpProbe.getJson(node.apiPort(), "/api/agents/" + InstanceUid.toText(uid))
                          .at("/description/identifying_attributes/service.name")
                          .asText(),
                      "the state kept through the failures is written"));
    }
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
