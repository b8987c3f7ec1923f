package io.switchboard.it.assignment;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.switchboard.node.SwitchboardNode;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.opamp.proto.AgentToServer;
import io.switchboard.opamp.proto.RemoteConfigStatus;
import io.switchboard.opamp.proto.RemoteConfigStatuses;
import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.testkit.AgentMessages;
import io.switchboard.testkit.HttpProbe;
import io.switchboard.testkit.RawAgent;
import io.switchboard.testkit.TestNodes;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Deleting an assignment: its agents are decided again. One that another assignment matches moves
 * to that one's config and applies it; one that none matches keeps its config and names no
 * assignment.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AssignmentDeletionTest {

  private static final long CAPABILITIES = 0x1 | 0x2 | 0x1000;

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
  void aDeletedAssignmentsAgentsMoveToTheNextMatchOrKeepTheirConfig() throws Exception {
    String run = UUID.randomUUID().toString();
    String covered = "covered-" + run;
    String alone = "alone-" + run;
    String baseConfig = publishedConfiguration("base-", "receivers: {otlp: {}}");
    String topConfig = publishedConfiguration("top-", "exporters: {debug: {}}");
    String base = "base-" + run;
    String top = "top-" + run;
    create(base, baseConfig, "service.name=" + covered, 0);
    create(top, topConfig, "service.name in (" + covered + "," + alone + ")", 10);

    ByteString coveredUid = AgentMessages.newUid();
    ByteString aloneUid = AgentMessages.newUid();
    try (RawAgent coveredAgent = RawAgent.connect(node.opampPort());
        RawAgent aloneAgent = RawAgent.connect(node.opampPort())) {
      applyNext(coveredAgent, coveredUid, covered, 1);
      applyNext(aloneAgent, aloneUid, alone, 1);
      awaitAssigned(coveredUid, top, hash(topConfig));
      awaitAssigned(aloneUid, top, hash(topConfig));

      assertEquals(
          204,
          HttpProbe.send(node.apiPort(), "DELETE", "/api/assignments/" + top, "").statusCode());

      // The covered agent is given the base assignment's config, and applies it.
      ServerToAgent next = applyNext(coveredAgent, coveredUid, covered, 2);
      assertEquals(
          hash(baseConfig),
          HexFormat.of().formatHex(next.getRemoteConfig().getConfigHash().toByteArray()));
      awaitAssigned(coveredUid, base, hash(baseConfig));
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () ->
                  assertEquals(
                      "APPLIED", agent(coveredUid).at("/remote_config_status/status").asText()));

      // No assignment matches the other: it keeps the deleted one's config, naming none.
      JsonNode kept = agent(aloneUid);
      assertTrue(kept.path("assignment").isNull(), kept.toString());
      assertEquals("none", kept.path("desired_config_source").asText(), kept.toString());
      assertEquals(hash(topConfig), kept.path("desired_config_hash").asText(), kept.toString());
      assertEquals(false, kept.path("drifted").asBoolean(), kept.toString());
    }
  }

  /**
   * Sends the agent's message {@code seq} (describing it the first time), waits for the next remote
   * config offered, and reports it applied.
   */
  private ServerToAgent applyNext(RawAgent agent, ByteString uid, String service, long seq)
      throws Exception {
    if (seq == 1) {
      agent.send(
          AgentMessages.fullState(uid, 1, service).toBuilder()
              .setCapabilities(CAPABILITIES)
              .build());
    }
    ServerToAgent offered = null;
    long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (offered == null && System.nanoTime() < until) {
      Optional<ServerToAgent> next = agent.poll(Duration.ofMillis(200));
      if (next.isPresent() && next.get().hasRemoteConfig()) {
        offered = next.get();
      }
    }
    if (offered == null) {
      throw new AssertionError("no remote config offered to " + service + " within 30 s");
    }
    agent.send(
        AgentToServer.newBuilder()
            .setInstanceUid(uid)
            .setSequenceNum(seq + 1)
            .setCapabilities(CAPABILITIES)
            .setRemoteConfigStatus(
                RemoteConfigStatus.newBuilder()
                    .setLastRemoteConfigHash(offered.getRemoteConfig().getConfigHash())
                    .setStatus(RemoteConfigStatuses.RemoteConfigStatuses_APPLIED))
            .build());
    return offered;
  }

  private void awaitAssigned(ByteString uid, String assignment, String hash) {
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              JsonNode agent = agent(uid);
              assertEquals(assignment, agent.path("assignment").asText(), agent.toString());
              assertEquals(hash, agent.path("desired_config_hash").asText(), agent.toString());
            });
  }

  private JsonNode agent(ByteString uid) {
    return HttpProbe.getJson(node.apiPort(), "/api/agents/" + InstanceUid.toText(uid));
  }

  private void create(String name, String configuration, String attributes, int priority) {
    HttpResponse<String> created =
        HttpProbe.send(
            node.apiPort(),
            "POST",
            "/api/assignments",
            "{\"name\": \""
                + name
                + "\", \"configuration\": \""
                + configuration
                + "\", \"version\": 1, \"priority\": "
                + priority
                + ", \"selector\": {\"attributes\": \""
                + attributes
                + "\"}}");
    assertEquals(201, created.statusCode(), created.body());
  }

  private String hash(String configuration) {
    return HttpProbe.getJson(node.apiPort(), "/api/configurations/" + configuration + "/versions/1")
        .path("config_hash")
        .asText();
  }

  private String publishedConfiguration(String prefix, String body) throws Exception {
    String name = prefix + UUID.randomUUID();
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
                    + json.writeValueAsString(body)
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
