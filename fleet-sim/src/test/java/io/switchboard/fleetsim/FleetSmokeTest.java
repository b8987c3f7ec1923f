package io.switchboard.fleetsim;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.switchboard.node.SwitchboardNode;
import io.switchboard.opamp.proto.RemoteConfigStatuses;
import io.switchboard.opamp.proto.ServerToAgent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * 200 simulated agents (150 over WebSocket, 50 polling over HTTP) against a real node in this JVM:
 * the node sees them all connected and applying configs, and all disconnected after the run.
 * Correctness only; the numbers that matter for load are for real runs.
 */
class FleetSmokeTest {

  private static final int AGENTS = 200;
  private static final int CONFIGURED = 20;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  @Test
  void twoHundredAgentsOverBothTransportsConnectApplyConfigsAndLeave() throws Exception {
    // A short heartbeat offer: HTTP agents poll at it, so they pick up their configs quickly.
    try (SwitchboardNode node =
        TestNode.start(Map.of("switchboard.agent.heartbeat-interval", "2s"))) {
      String websocket = "ws://127.0.0.1:" + node.opampPort() + "/v1/opamp";
      String http = "http://127.0.0.1:" + node.opampPort() + "/v1/opamp";
      SimulatorSettings settings =
          ArgsParser.parse(
                  // Three WebSocket targets to one HTTP target: 150 and 50 agents.
                  "--target",
                  websocket,
                  "--target",
                  websocket,
                  "--target",
                  websocket,
                  "--target",
                  http,
                  "--agents",
                  Integer.toString(AGENTS),
                  "--duration",
                  "45s",
                  "--ramp-up",
                  "2s",
                  "--churn-per-second",
                  "20",
                  "--source-addresses",
                  "3")
              .orElseThrow();
      String api = "http://127.0.0.1:" + node.apiPort() + "/api/agents";

      RecordingObserver observer = new RecordingObserver();
      FleetSimulator simulator = FleetSimulator.start(settings, observer);
      await().atMost(Duration.ofSeconds(30)).until(() -> count(agents(api), "CONNECTED") == AGENTS);

      List<String> configured = new ArrayList<>();
      for (JsonNode agent : agents(api)) {
        if (configured.size() < CONFIGURED) {
          configured.add(agent.get("instance_uid").asText());
        }
      }
      for (String uid : configured) {
        assertEquals(202, pushConfig(api, uid));
      }
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> applied(agents(api), configured) == CONFIGURED);
      assertEquals(202, restart(api, configured.get(0)));
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> simulator.progress().commandsReceived() == 1);
      assertEquals(AGENTS, observer.sessions.size());
      assertEquals(Set.copyOf(configured), observer.configsReceived);
      assertEquals(Set.copyOf(configured), observer.configsApplied);
      assertEquals(Set.of(configured.get(0)), observer.restartsReceived);

      simulator.stop();
      Summary summary = simulator.summary().toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertEquals(AGENTS, summary.agentsConnected(), summary::toJson);
      assertEquals(AGENTS, summary.maxConcurrentlyConnected(), summary::toJson);
      assertEquals(Map.of(), summary.errors(), summary::toJson);
      assertEquals(CONFIGURED, summary.remoteConfigsApplied(), summary::toJson);
      JsonNode report = JSON.readTree(summary.toJson());
      assertEquals(AGENTS, report.get("agents_connected").asInt());
      assertEquals(0, report.get("errors").size());

      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> count(agents(api), "DISCONNECTED") == AGENTS);
    }
  }

  /** Which agents the observer heard of, by what happened to them. */
  private static final class RecordingObserver implements AgentObserver {
    final Set<String> sessions = ConcurrentHashMap.newKeySet();
    final Set<String> configsReceived = ConcurrentHashMap.newKeySet();
    final Set<String> restartsReceived = ConcurrentHashMap.newKeySet();
    final Set<String> configsApplied = ConcurrentHashMap.newKeySet();

    @Override
    public void sessionStarted(String instanceUid) {
      sessions.add(instanceUid);
    }

    @Override
    public void commandReceived(String instanceUid, ServerToAgent message, long receivedNanos) {
      (message.hasCommand() ? restartsReceived : configsReceived).add(instanceUid);
    }

    @Override
    public void remoteConfigReported(
        String instanceUid,
        ByteString configHash,
        RemoteConfigStatuses status,
        long reportedNanos) {
      if (status == RemoteConfigStatuses.RemoteConfigStatuses_APPLIED) {
        configsApplied.add(instanceUid);
      }
    }
  }

  private static List<JsonNode> agents(String api) throws Exception {
    HttpResponse<String> response =
        CLIENT.send(
            HttpRequest.newBuilder(URI.create(api + "?limit=1000")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), response.body());
    List<JsonNode> agents = new ArrayList<>();
    JSON.readTree(response.body()).get("agents").forEach(agents::add);
    return agents;
  }

  private static long count(List<JsonNode> agents, String connectionState) {
    return agents.stream()
        .filter(agent -> agent.get("connection_state").asText().equals(connectionState))
        .count();
  }

  private static long applied(List<JsonNode> agents, List<String> uids) {
    return agents.stream()
        .filter(agent -> uids.contains(agent.get("instance_uid").asText()))
        .filter(
            agent -> agent.path("remote_config_status").path("status").asText().equals("APPLIED"))
        .count();
  }

  private static int restart(String api, String uid) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(api + "/" + uid + "/restart"))
            .header("X-CSRF-Token", "fleet-sim") // changes carry one even with sign-in off
            .POST(HttpRequest.BodyPublishers.noBody())
            .build();
    return CLIENT.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private static int pushConfig(String api, String uid) throws Exception {
    String body =
        "{\"config_map\": {\"c.yaml\": {\"content_type\": \"text/yaml\", \"body\": \"x: 1\"}}}";
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(api + "/" + uid + "/remote-config"))
            .header("Content-Type", "application/json")
            .header("X-CSRF-Token", "fleet-sim")
            .PUT(HttpRequest.BodyPublishers.ofString(body))
            .build();
    return CLIENT.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
