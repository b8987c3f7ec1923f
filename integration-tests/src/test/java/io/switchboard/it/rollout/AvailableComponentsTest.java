package io.switchboard.it.rollout;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.switchboard.node.SwitchboardNode;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.opamp.proto.AgentCapabilities;
import io.switchboard.opamp.proto.AgentToServer;
import io.switchboard.opamp.proto.AvailableComponents;
import io.switchboard.opamp.proto.ComponentDetails;
import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.opamp.proto.ServerToAgentFlags;
import io.switchboard.testkit.AgentMessages;
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
 * Available components end to end with raw agents: the node asks for the list when a hash is new,
 * stores and shows it, counts it across the fleet, and refuses a rollout whose collector config
 * uses a component some targets lack, unless forced (and audited as such).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AvailableComponentsTest {

  private static final long REPORTS_COMPONENTS =
      AgentCapabilities.AgentCapabilities_ReportsStatus_VALUE
          | AgentCapabilities.AgentCapabilities_ReportsAvailableComponents_VALUE;

  private final ObjectMapper json = new ObjectMapper();
  private SwitchboardNode node;

  @BeforeAll
  void start() {
    node = SwitchboardNode.start(TestNodes.config(Map.of()));
  }

  @AfterAll
  void stop() {
    node.close();
  }

  @Test
  void aRawAgentReportsItsComponentsAndARolloutNeedingAMissingExporterIsRefusedUnlessForced()
      throws Exception {
    String service = "components-" + UUID.randomUUID();
    ByteString basicUid = AgentMessages.newUid();
    ByteString kafkaUid = AgentMessages.newUid();
    ByteString silentUid = AgentMessages.newUid();
    try (RawAgent basic = RawAgent.connect(node.opampPort());
        RawAgent kafka = RawAgent.connect(node.opampPort());
        RawAgent silent = RawAgent.connect(node.opampPort())) {
      report(basic, basicUid, service, components("h-basic", "debug"));
      report(kafka, kafkaUid, service, components("h-kafka", "debug", "kafka"));
      // An agent that never reports components is not held against a rollout.
      silent.send(AgentMessages.fullState(silentUid, 1, service));
      silent.receive();

      String basicId = InstanceUid.toText(basicUid);
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertTrue(
                      HttpProbe.getJson(node.apiPort(), "/api/agents/" + basicId)
                          .at("/available_components/components/exporters/sub_components")
                          .has("debug")));
      JsonNode shown = HttpProbe.getJson(node.apiPort(), "/api/agents/" + basicId);
      assertFalse(
          shown.at("/available_components/components/exporters/sub_components").has("kafka"));
      assertTrue(shown.at("/available_components/components/receivers/sub_components").has("otlp"));
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                Map<String, Long> counts = counts();
                assertTrue(counts.getOrDefault("exporters/debug", 0L) >= 2, counts.toString());
                assertTrue(counts.getOrDefault("exporters/kafka", 0L) >= 1, counts.toString());
              });

      String configuration =
          publishedConfiguration(
              "receivers:\\n  otlp: {}\\nexporters:\\n  kafka/primary: {}\\n  debug: {}\\n");
      String rollout =
          "{\"configuration\": \""
              + configuration
              + "\", \"version\": 1, \"selector\": {\"attributes\": {\"service.name\": \""
              + service
              + "\"}}";

      HttpResponse<String> refused =
          HttpProbe.send(node.apiPort(), "POST", "/api/rollouts", rollout + "}");
      assertEquals(409, refused.statusCode(), refused.body());
      JsonNode problem = json.readTree(refused.body());
      assertEquals(1, problem.path("agents_missing_components").asInt(), refused.body());
      assertEquals(basicId, problem.at("/missing_components/0/agent").asText());
      assertEquals("exporters/kafka", problem.at("/missing_components/0/missing/0").asText());
      assertEquals(1, problem.at("/missing_components/0/missing").size());
      assertTrue(problem.path("error").asText().contains(basicId), refused.body());

      HttpResponse<String> forced =
          HttpProbe.send(node.apiPort(), "POST", "/api/rollouts", rollout + ", \"force\": true}");
      assertEquals(201, forced.statusCode(), forced.body());
      String id = json.readTree(forced.body()).path("id").asText();
      JsonNode audit =
          HttpProbe.getJson(node.apiPort(), "/api/audit?target=rollout/" + id).path("events");
      JsonNode created = audit.get(audit.size() - 1).path("after");
      assertTrue(created.path("forced").asBoolean(), audit.toString());
      assertEquals(1, created.path("agents_missing_components").asInt());
      assertEquals(
          "exporters/kafka",
          created.at("/missing_components/0/missing/0").asText(),
          audit.toString());
      assertEquals(3, created.path("targets").asInt());
    }
  }

  /**
   * The agent's first message carries the hash alone; the node asks for the list with
   * ReportAvailableComponents, and the agent sends it.
   */
  private static void report(
      RawAgent agent, ByteString uid, String service, AvailableComponents components)
      throws Exception {
    AgentToServer first =
        AgentMessages.fullState(uid, 1, service).toBuilder()
            .setCapabilities(REPORTS_COMPONENTS)
            .setAvailableComponents(AvailableComponents.newBuilder().setHash(components.getHash()))
            .build();
    agent.send(first);
    ServerToAgent answer = agent.receive();
    assertTrue(
        (answer.getFlags() & ServerToAgentFlags.ServerToAgentFlags_ReportAvailableComponents_VALUE)
            != 0,
        "the node asks for the list of a hash it does not know: " + answer);
    agent.send(
        AgentMessages.heartbeat(uid, 2).toBuilder()
            .setCapabilities(REPORTS_COMPONENTS)
            .setAvailableComponents(components)
            .build());
    ServerToAgent next = agent.receive();
    assertEquals(
        0,
        next.getFlags() & ServerToAgentFlags.ServerToAgentFlags_ReportAvailableComponents_VALUE,
        "asked once");
  }

  /** A collector's list: receivers otlp, processors batch, and the given exporters. */
  private static AvailableComponents components(String hash, String... exporters) {
    ComponentDetails.Builder exporterMap = ComponentDetails.newBuilder();
    for (String exporter : exporters) {
      exporterMap.putSubComponentMap(exporter, ComponentDetails.getDefaultInstance());
    }
    return AvailableComponents.newBuilder()
        .setHash(ByteString.copyFromUtf8(hash))
        .putComponents(
            "receivers",
            ComponentDetails.newBuilder()
                .putSubComponentMap("otlp", ComponentDetails.getDefaultInstance())
                .build())
        .putComponents(
            "processors",
            ComponentDetails.newBuilder()
                .putSubComponentMap("batch", ComponentDetails.getDefaultInstance())
                .build())
        .putComponents("exporters", exporterMap.build())
        .build();
  }

  private Map<String, Long> counts() {
    Map<String, Long> counts = new java.util.HashMap<>();
    for (JsonNode count : HttpProbe.getJson(node.apiPort(), "/api/components").path("components")) {
      counts.put(
          count.path("kind").asText() + "/" + count.path("type").asText(),
          count.path("agents").asLong());
    }
    return counts;
  }

  /** A configuration whose version 1 (this YAML, JSON-escaped) is published; returns its name. */
  private String publishedConfiguration(String yaml) throws Exception {
    String name = "collector-" + UUID.randomUUID();
    assertEquals(
        201,
        HttpProbe.send(
                node.apiPort(), "POST", "/api/configurations", "{\"name\": \"" + name + "\"}")
            .statusCode());
    HttpResponse<String> version =
        HttpProbe.send(
            node.apiPort(),
            "POST",
            "/api/configurations/" + name + "/versions",
            "{\"config_map\": {\"collector.yaml\": {\"content_type\": \"text/yaml\", \"body\": \""
                + yaml
                + "\"}}}");
    assertEquals(201, version.statusCode(), version.body());
    HttpResponse<String> published =
        HttpProbe.send(
            node.apiPort(), "POST", "/api/configurations/" + name + "/versions/1/publish", "");
    assertEquals(200, published.statusCode(), published.body());
    return name;
  }
}
