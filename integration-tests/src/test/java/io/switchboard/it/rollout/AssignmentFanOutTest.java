package io.switchboard.it.rollout;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.it.PollingAgents;
import io.switchboard.node.SwitchboardNode;
import io.switchboard.testkit.HttpProbe;
import io.switchboard.testkit.TestNodes;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import opamp.proto.RemoteConfigStatuses;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A rollout of one batch to many agents, on a node whose rollout driver would not tick for an hour:
 * the driver steps as soon as the rollout is made, the batch's envelopes are written together, and
 * every agent's envelope is recorded as sent by this node, then applied.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AssignmentFanOutTest {

  private static final int AGENTS = 40;

  private final ObjectMapper json = new ObjectMapper();
  private SwitchboardNode node;
  private PollingAgents fleet;

  @BeforeAll
  void start() {
    node = SwitchboardNode.start(TestNodes.config(Map.of("switchboard.rollouts.tick", "1h")));
    fleet = new PollingAgents(node.opampPort());
  }

  @AfterAll
  void stop() throws Exception {
    fleet.close();
    node.close();
  }

  @Test
  void anAssignmentStartsAtOnceAndEveryEnvelopeIsRecordedSentThenApplied() throws Exception {
    String service = "fan-out-" + UUID.randomUUID();
    for (int i = 0; i < AGENTS; i++) {
      fleet.connect(service, RemoteConfigStatuses.RemoteConfigStatuses_APPLIED);
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                agents("connection_state=CONNECTED&attribute=service.name=" + service).size()
                    == AGENTS);
    String configuration = "collector-" + UUID.randomUUID();
    created(post("/api/configurations", "{\"name\": \"" + configuration + "\"}"));
    created(
        post(
            "/api/configurations/" + configuration + "/versions",
            "{\"config_map\": {\"collector.yaml\": {\"content_type\": \"text/yaml\", \"body\": \"exporters: {}\"}}}"));
    assertEquals(
        200, post("/api/configurations/" + configuration + "/versions/1/publish", "").statusCode());

    String id =
        created(
                post(
                    "/api/rollouts",
                    "{\"configuration\": \""
                        + configuration
                        + "\", \"version\": 1, \"selector\": {\"attributes\": {\"service.name\": \""
                        + service
                        + "\"}}}"))
            .path("id")
            .asText();

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              JsonNode batch =
                  HttpProbe.getJson(node.apiPort(), "/api/rollouts/" + id).at("/batches/0");
              assertEquals(AGENTS, batch.path("applied").asInt(), batch.toString());
            });
    Set<String> reached = new HashSet<>();
    for (JsonNode agent : agents("attribute=service.name=" + service)) {
      String uid = agent.path("instance_uid").asText();
      JsonNode envelopes =
          HttpProbe.getJson(node.apiPort(), "/api/envelopes?agent=" + uid).path("envelopes");
      assertEquals(1, envelopes.size(), envelopes.toString());
      JsonNode envelope = envelopes.get(0);
      assertEquals("APPLIED", envelope.path("state").asText(), envelope.toString());
      assertEquals(
          Cluster.get(node.system()).selfMember().address().toString(),
          envelope.path("sent_by_node").asText(),
          envelope.toString());
      assertFalse(envelope.path("sent_at").isNull(), "sent, then applied: " + envelope);
      reached.add(uid);
    }
    assertEquals(AGENTS, reached.size());
  }

  private JsonNode agents(String query) {
    return HttpProbe.getJson(node.apiPort(), "/api/agents?limit=100&" + query).path("agents");
  }

  private HttpResponse<String> post(String path, String body) {
    return HttpProbe.send(node.apiPort(), "POST", path, body);
  }

  private JsonNode created(HttpResponse<String> response) throws Exception {
    assertEquals(201, response.statusCode(), response.body());
    return json.readTree(response.body());
  }
}
