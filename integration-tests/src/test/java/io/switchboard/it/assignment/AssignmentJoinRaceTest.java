package io.switchboard.it.assignment;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.switchboard.node.SwitchboardNode;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.opamp.proto.AgentToServer;
import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.testkit.AgentMessages;
import io.switchboard.testkit.HttpProbe;
import io.switchboard.testkit.RawAgent;
import io.switchboard.testkit.TestNodes;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The join race: agents describe themselves while an assignment is made, before the status writer
 * has stored their rows (its flush interval is long here, so every agent connected before the
 * assignment is in the race). Their first-description match ran before the assignment existed and
 * the assignment's set-based apply found no rows; each must still end with the assignment's config,
 * as must the agents that connect after it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AssignmentJoinRaceTest {

  private static final long CAPABILITIES = 0x1 | 0x2 | 0x1000;

  private final ObjectMapper json = new ObjectMapper();
  private SwitchboardNode node;

  @BeforeAll
  void start() {
    node =
        SwitchboardNode.start(
            TestNodes.config(Map.of("switchboard.status-writer.flush-interval", "8s")));
  }

  @AfterAll
  void stop() {
    node.close();
  }

  @Test
  void agentsDescribedWhileAnAssignmentIsMadeAllGetItsConfig() throws Exception {
    String service = "racing-" + UUID.randomUUID();
    String configuration = publishedConfiguration();
    String hash =
        HttpProbe.getJson(node.apiPort(), "/api/configurations/" + configuration + "/versions/1")
            .path("config_hash")
            .asText();
    Map<String, RawAgent> agents = new HashMap<>();
    List<String> before = new ArrayList<>();
    try {
      for (int i = 0; i < 5; i++) {
        before.add(connect(agents, service));
      }
      // Not stored yet: the set-based apply of the assignment cannot see these agents.
      for (String uid : before) {
        assertEquals(404, HttpProbe.get(node.apiPort(), "/api/agents/" + uid).statusCode());
      }
      String name = "race-" + UUID.randomUUID();
      HttpResponse<String> created =
          HttpProbe.send(
              node.apiPort(),
              "POST",
              "/api/assignments",
              "{\"name\": \""
                  + name
                  + "\", \"configuration\": \""
                  + configuration
                  + "\", \"version\": 1, \"selector\": {\"attributes\": \"service.name="
                  + service
                  + "\"}}");
      assertEquals(201, created.statusCode(), created.body());
      for (int i = 0; i < 5; i++) {
        connect(agents, service);
      }

      for (Map.Entry<String, RawAgent> agent : agents.entrySet()) {
        assertEquals(hash, hash(awaitRemoteConfig(agent.getValue())), agent.getKey());
      }
      await()
          .atMost(Duration.ofSeconds(40))
          .untilAsserted(
              () -> {
                for (String uid : agents.keySet()) {
                  JsonNode stored = HttpProbe.getJson(node.apiPort(), "/api/agents/" + uid);
                  assertEquals(name, stored.path("assignment").asText(), stored.toString());
                  assertEquals(hash, stored.path("desired_config_hash").asText());
                }
              });
    } finally {
      agents.values().forEach(RawAgent::close);
    }
  }

  private String connect(Map<String, RawAgent> agents, String service) throws Exception {
    ByteString uid = AgentMessages.newUid();
    RawAgent agent = RawAgent.connect(node.opampPort());
    AgentToServer first =
        AgentMessages.fullState(uid, 1, service).toBuilder().setCapabilities(CAPABILITIES).build();
    agent.send(first);
    agent.receive();
    String text = InstanceUid.toText(uid);
    agents.put(text, agent);
    return text;
  }

  /** The next message offering a remote config, within 40 seconds (the flush interval is 8). */
  private static ServerToAgent awaitRemoteConfig(RawAgent agent) throws InterruptedException {
    long until = System.nanoTime() + Duration.ofSeconds(40).toNanos();
    while (System.nanoTime() < until) {
      Optional<ServerToAgent> next = agent.poll(Duration.ofMillis(200));
      if (next.isPresent() && next.get().hasRemoteConfig()) {
        return next.get();
      }
    }
    throw new AssertionError("no remote config offered within 40 s");
  }

  private static String hash(ServerToAgent offered) {
    return HexFormat.of().formatHex(offered.getRemoteConfig().getConfigHash().toByteArray());
  }

  private String publishedConfiguration() throws Exception {
    String name = "race-config-" + UUID.randomUUID();
    assertEquals(
        201,
        HttpProbe.send(
                node.apiPort(), "POST", "/api/configurations", "{\"name\": \"" + name + "\"}")
            .statusCode());
    assertEquals(
        201,
        HttpProbe.send(
                node.apiPort(),
                "POST",
                "/api/configurations/" + name + "/versions",
                "{\"config_map\": {\"collector.yaml\": {\"content_type\": \"text/yaml\", \"body\": "
                    + json.writeValueAsString("receivers: {otlp: {}}")
                    + "}}}")
            .statusCode());
    assertEquals(
        200,
        HttpProbe.send(
                node.apiPort(), "POST", "/api/configurations/" + name + "/versions/1/publish", "")
            .statusCode());
    return name;
  }
}
