package io.switchboard.it.rollout;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.switchboard.dispatch.webhooks.WebhookSignature;
import io.switchboard.it.PollingAgents;
import io.switchboard.node.SwitchboardNode;
import io.switchboard.testkit.FreePorts;
import io.switchboard.testkit.HttpProbe;
import io.switchboard.testkit.Scrape;
import io.switchboard.testkit.TestNodes;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import opamp.proto.RemoteConfigStatuses;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Webhooks end to end: a receiver in this test (the JDK's HTTP server on loopback) registered for
 * rollout.paused gets a signed event when a gate pauses a rollout of OpenTelemetry clients that
 * fail to apply; it answers 500 twice, and the third attempt is delivered; the API shows the
 * attempts.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookDeliveryTest {

  /** One request the receiver got. */
  record Received(String event, String delivery, String signature, String body) {}

  private final ObjectMapper json = new ObjectMapper();
  private final int opampPort = FreePorts.next();
  private final PollingAgents fleet = new PollingAgents(opampPort);
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private SwitchboardNode node;
  private HttpServer receiver;

  @BeforeAll
  void start() throws Exception {
    node =
        SwitchboardNode.start(
            TestNodes.config(
                Map.of(
                    "switchboard.opamp.port",
                    opampPort,
                    "switchboard.webhooks.allow-plain-http",
                    true,
                    "switchboard.webhooks.tick",
                    "200ms",
                    "switchboard.webhooks.initial-backoff",
                    "300ms")));
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext(
        "/hook",
        exchange -> {
          String body =
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          received.add(
              new Received(
                  exchange.getRequestHeaders().getFirst("X-Switchboard-Event"),
                  exchange.getRequestHeaders().getFirst("X-Switchboard-Delivery"),
                  exchange.getRequestHeaders().getFirst(WebhookSignature.HEADER),
                  body));
          // The first two attempts fail; the third is taken.
          exchange.sendResponseHeaders(received.size() <= 2 ? 500 : 204, -1);
          exchange.close();
        });
    receiver.start();
  }

  @AfterAll
  void stop() throws Exception {
    receiver.stop(0);
    fleet.close();
    node.close();
  }

  @Test
  void aGatePausingARolloutIsDeliveredSignedOnTheThirdAttempt() throws Exception {
    double retriedBefore = attempts("retried");
    HttpResponse<String> created =
        post(
            "/api/webhooks",
            "{\"name\": \"pager\", \"url\": \"http://127.0.0.1:"
                + receiver.getAddress().getPort()
                + "/hook\", \"events\": [\"rollout.paused\", \"rollout.completed\"]}");
    assertEquals(201, created.statusCode(), created.body());
    JsonNode webhook = json.readTree(created.body());
    String secret = webhook.path("secret").asText();
    assertEquals(64, secret.length(), "a generated secret");
    assertEquals(5, webhook.path("disconnected_after_minutes").asInt());
    assertFalse(
        HttpProbe.getJson(node.apiPort(), "/api/webhooks/pager").has("secret"),
        "the secret is shown once");
    assertEquals(
        409,
        post(
                "/api/webhooks",
                "{\"name\": \"pager\", \"url\": \"https://x.example\", \"events\": [\"rollout.paused\"]}")
            .statusCode());

    String service = "hooked-" + UUID.randomUUID();
    for (int i = 0; i < 4; i++) {
      fleet.connect(service, RemoteConfigStatuses.RemoteConfigStatuses_FAILED);
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                HttpProbe.getJson(
                            node.apiPort(),
                            "/api/agents?limit=100&connection_state=CONNECTED&attribute=service.name="
                                + service)
                        .path("agents")
                        .size()
                    == 4);
    String configuration = publishedConfiguration();
    HttpResponse<String> rollout =
        post(
            "/api/rollouts",
            "{\"configuration\": \""
                + configuration
                + "\", \"version\": 1, \"selector\": {\"attributes\": {\"service.name\": \""
                + service
                + "\"}}, \"strategy\": {\"type\": \"fixed\", \"batch_size\": 2}}");
    assertEquals(201, rollout.statusCode(), rollout.body());
    String id = json.readTree(rollout.body()).path("id").asText();

    await().atMost(Duration.ofSeconds(90)).until(() -> received.size() >= 3);
    Received delivered = received.get(2);
    assertEquals("rollout.paused", delivered.event());
    assertTrue(
        WebhookSignature.verify(secret, delivered.signature(), delivered.body()),
        "the signature verifies: " + delivered.signature());
    assertFalse(
        WebhookSignature.verify(
            "another-secret-entirely", delivered.signature(), delivered.body()));
    long signedAt = Long.parseLong(delivered.signature().split(",")[0].substring(2));
    assertTrue(Math.abs(System.currentTimeMillis() / 1000 - signedAt) < 300, "a current timestamp");
    JsonNode event = json.readTree(delivered.body());
    assertEquals("rollout.paused", event.path("event").asText());
    assertEquals(id, event.at("/rollout/id").asText());
    assertEquals("PAUSED", event.at("/rollout/state").asText());
    assertTrue(event.at("/rollout/detail").asText().contains("apply-failed"), delivered.body());
    for (Received attempt : received.subList(0, 3)) {
      assertEquals(delivered.delivery(), attempt.delivery(), "the same delivery, retried");
      assertEquals(delivered.body(), attempt.body());
    }

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              JsonNode deliveries =
                  HttpProbe.getJson(node.apiPort(), "/api/webhooks/pager/deliveries?limit=10")
                      .path("deliveries");
              assertEquals(1, deliveries.size(), deliveries.toString());
              JsonNode only = deliveries.get(0);
              assertEquals("rollout.paused", only.path("event").asText());
              assertEquals(3, only.path("attempts").asInt());
              assertEquals(204, only.path("last_status").asInt());
              assertTrue(only.path("last_error").isNull());
              assertTrue(only.path("next_attempt_at").isNull());
              assertNotNull(only.path("delivered_at").textValue());
            });
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertTrue(attempts("retried") >= retriedBefore + 2, "two attempts retried");
              assertTrue(attempts("delivered") >= 1);
            });
    assertEquals(3, received.size(), "nothing more was sent");
  }

  @Test
  void webhooksAreManagedThroughTheApiAndAudited() throws Exception {
    assertEquals(
        400,
        post(
                "/api/webhooks",
                "{\"name\": \"Bad Name\", \"url\": \"https://x.example\", \"events\": [\"rollout.paused\"]}")
            .statusCode());
    assertEquals(
        400,
        post(
                "/api/webhooks",
                "{\"name\": \"ok\", \"url\": \"https://x.example\", \"events\": [\"agent.exploded\"]}")
            .statusCode());
    HttpResponse<String> created =
        post(
            "/api/webhooks",
            "{\"name\": \"ops.chat\", \"url\": \"https://hooks.example/x\", \"events\": [\"agent.disconnected\"],"
                + " \"disconnected_after_minutes\": 10, \"secret\": \"0123456789abcdef-given\"}");
    assertEquals(201, created.statusCode(), created.body());
    assertEquals("0123456789abcdef-given", json.readTree(created.body()).path("secret").asText());

    HttpResponse<String> changed =
        HttpProbe.send(
            node.apiPort(),
            "PUT",
            "/api/webhooks/ops.chat",
            "{\"enabled\": false, \"events\": [\"agent.unhealthy\", \"agent.unhealthy\"]}");
    assertEquals(200, changed.statusCode(), changed.body());
    JsonNode shown = json.readTree(changed.body());
    assertFalse(shown.path("enabled").asBoolean());
    assertEquals("[\"agent.unhealthy\"]", shown.path("events").toString());
    assertEquals(10, shown.path("disconnected_after_minutes").asInt());
    assertFalse(shown.has("secret"));
    assertTrue(
        HttpProbe.getJson(node.apiPort(), "/api/webhooks")
            .path("webhooks")
            .toString()
            .contains("ops.chat"));

    assertEquals(
        204, HttpProbe.send(node.apiPort(), "DELETE", "/api/webhooks/ops.chat", "").statusCode());
    assertEquals(404, HttpProbe.get(node.apiPort(), "/api/webhooks/ops.chat").statusCode());
    String audit =
        HttpProbe.getJson(node.apiPort(), "/api/audit?target=webhook/ops.chat").toString();
    assertTrue(audit.contains("webhook.create"), audit);
    assertTrue(audit.contains("webhook.update"), audit);
    assertTrue(audit.contains("webhook.delete"), audit);
    assertFalse(audit.contains("0123456789abcdef-given"), "the audit log never holds the secret");
  }

  private double attempts(String outcome) {
    return Scrape.of(node.metricsPort())
        .sum("switchboard_webhook_attempts_total", Map.of("outcome", outcome))
        .orElse(0);
  }

  private String publishedConfiguration() {
    String name = "collector-" + UUID.randomUUID();
    assertEquals(201, post("/api/configurations", "{\"name\": \"" + name + "\"}").statusCode());
    HttpResponse<String> version =
        post(
            "/api/configurations/" + name + "/versions",
            "{\"config_map\": {\"collector.yaml\": {\"content_type\": \"text/yaml\", \"body\": \"exporters: {debug: {}}\"}}}");
    assertEquals(201, version.statusCode(), version.body());
    assertEquals(200, post("/api/configurations/" + name + "/versions/1/publish", "").statusCode());
    return name;
  }

  private HttpResponse<String> post(String path, String body) {
    return HttpProbe.send(node.apiPort(), "POST", path, body);
  }
}
