package io.switchboard.it.api;

import static io.switchboard.testkit.AgentMessages.fullState;
import static io.switchboard.testkit.AgentMessages.newUid;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.switchboard.node.SwitchboardNode;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.opamp.proto.AgentDescription;
import io.switchboard.opamp.proto.AgentToServer;
import io.switchboard.opamp.proto.AnyValue;
import io.switchboard.opamp.proto.CommandType;
import io.switchboard.opamp.proto.CustomCapabilities;
import io.switchboard.opamp.proto.KeyValue;
import io.switchboard.opamp.proto.RemoteConfigStatus;
import io.switchboard.opamp.proto.RemoteConfigStatuses;
import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.testkit.HttpProbe;
import io.switchboard.testkit.RawAgent;
import io.switchboard.testkit.TestNodes;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HexFormat;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Operator actions through the REST API reach a connected agent, or say why they cannot. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentCommandApiTest {

  private static final String CONFIG =
      "{\"config_map\": {\"collector.yaml\": {\"content_type\": \"text/yaml\", \"body\": \"exporters: {}\"}}}";

  private final ObjectMapper json = new ObjectMapper();
  private SwitchboardNode node;

  @BeforeAll
  void startNode() {
    node = SwitchboardNode.start(TestNodes.config());
  }

  @AfterAll
  void stopNode() {
    node.close();
  }

  @Test
  void aConnectedAgentReceivesRemoteConfigRestartAndCustomMessages() throws Exception {
    ByteString uid = newUid();
    try (RawAgent agent = RawAgent.connect(node.opampPort())) {
      agent.send(
          report(uid, 0x1 | 0x2 | 0x400).toBuilder()
              .setCustomCapabilities(
                  CustomCapabilities.newBuilder().addCapabilities("io.example.ping"))
              .build());
      agent.receive();
      String path = "/api/agents/" + InstanceUid.toText(uid);
      awaitKnown(path);
      assertEquals(
          "[\"io.example.ping\"]",
          HttpProbe.getJson(node.apiPort(), path).path("custom_capabilities").toString());

      String configDispatch =
          assertAccepted(
              HttpProbe.send(node.apiPort(), "PUT", path + "/remote-config", CONFIG), "SENT");
      ServerToAgent config = agent.receive();
      var desired = HttpProbe.getJson(node.apiPort(), path);
      assertEquals(
          HexFormat.of().formatHex(config.getRemoteConfig().getConfigHash().toByteArray()),
          desired.path("desired_config_hash").asText());
      assertTrue(desired.path("drifted").asBoolean(), "the agent has not applied it yet");
      assertEquals(
          "exporters: {}",
          config
              .getRemoteConfig()
              .getConfig()
              .getConfigMapMap()
              .get("collector.yaml")
              .getBody()
              .toStringUtf8());

      assertAccepted(HttpProbe.send(node.apiPort(), "POST", path + "/restart", ""), "SENT");
      assertEquals(CommandType.CommandType_Restart, agent.receive().getCommand().getType());

      assertAccepted(
          HttpProbe.send(
              node.apiPort(),
              "POST",
              path + "/custom-messages",
              "{\"capability\": \"io.example.ping\", \"type\": \"ping\", \"data\": \"aGk=\"}"),
          "SENT");
      ServerToAgent custom = agent.receive();
      assertEquals("ping", custom.getCustomMessage().getType());
      assertEquals("hi", custom.getCustomMessage().getData().toStringUtf8());

      agent.send(
          report(uid, 0x1 | 0x2 | 0x400).toBuilder()
              .setSequenceNum(2)
              .clearAgentDescription()
              .setRemoteConfigStatus(
                  RemoteConfigStatus.newBuilder()
                      .setLastRemoteConfigHash(config.getRemoteConfig().getConfigHash())
                      .setStatus(RemoteConfigStatuses.RemoteConfigStatuses_APPLIED))
              .build());
      agent.receive();
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () ->
                  assertEquals(
                      "APPLIED",
                      HttpProbe.getJson(node.apiPort(), "/api/envelopes/" + configDispatch)
                          .path("state")
                          .asText()));
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> !HttpProbe.getJson(node.apiPort(), path).path("drifted").asBoolean());
      var sent = HttpProbe.getJson(node.apiPort(), "/api/envelopes/" + configDispatch);
      assertEquals(InstanceUid.toText(uid), sent.path("instance_uid").asText());
      assertEquals("REMOTE_CONFIG", sent.path("kind").asText());
      assertEquals("exporters: {}", sent.at("/payload/config_map/collector.yaml/body").asText());
      assertTrue(
          !sent.path("sent_by_node").isNull() && !sent.path("closed_at").isNull(), sent.toString());
    }
  }

  @Test
  void whatTheAgentCannotTakeIsRefusedWithAConflict() throws Exception {
    ByteString uid = newUid();
    try (RawAgent agent = RawAgent.connect(node.opampPort())) {
      agent.send(report(uid, 0x1));
      agent.receive();
      String path = "/api/agents/" + InstanceUid.toText(uid);
      awaitKnown(path);

      assertProblem(HttpProbe.send(node.apiPort(), "POST", path + "/restart", ""), 409, "restart");
      assertProblem(
          HttpProbe.send(node.apiPort(), "PUT", path + "/remote-config", CONFIG),
          409,
          "remote configuration");
      assertProblem(
          HttpProbe.send(
              node.apiPort(),
              "POST",
              path + "/custom-messages",
              "{\"capability\": \"x\", \"type\": \"y\"}"),
          409,
          "custom capability");
    }
  }

  @Test
  void theAgentListFiltersAndPages() throws Exception {
    String service = "filter-" + UUID.randomUUID();
    try (RawAgent first = RawAgent.connect(node.opampPort());
        RawAgent second = RawAgent.connect(node.opampPort())) {
      for (RawAgent agent : java.util.List.of(first, second)) {
        agent.send(
            report(newUid(), 0x1).toBuilder()
                .setAgentDescription(
                    AgentDescription.newBuilder()
                        .addIdentifyingAttributes(
                            KeyValue.newBuilder()
                                .setKey("service.name")
                                .setValue(AnyValue.newBuilder().setStringValue(service))))
                .build());
        agent.receive();
      }
      String query =
          "/api/agents?connection_state=CONNECTED&attribute=service.name=" + service + "&limit=1";

      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () ->
                  assertEquals(1, HttpProbe.getJson(node.apiPort(), query).path("agents").size()));
      var firstPage = HttpProbe.getJson(node.apiPort(), query);
      var secondPage =
          HttpProbe.getJson(node.apiPort(), query + "&after=" + firstPage.path("next").asText());
      assertEquals(1, secondPage.path("agents").size());
      assertTrue(
          !firstPage.at("/agents/0/instance_uid").equals(secondPage.at("/agents/0/instance_uid")),
          "two different agents");
      assertEquals(
          0,
          HttpProbe.getJson(
                  node.apiPort(),
                  "/api/agents?connection_state=DISCONNECTED&attribute=service.name=" + service)
              .path("agents")
              .size());
    }
  }

  private void awaitKnown(String path) {
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> HttpProbe.get(node.apiPort(), path).statusCode() == 200);
  }

  /** Asserts a 202 with the envelope in {@code state}; returns the envelope's id. */
  private String assertAccepted(HttpResponse<String> response, String state) throws Exception {
    assertEquals(202, response.statusCode(), response.body());
    assertEquals(state, json.readTree(response.body()).path("state").asText(), response.body());
    return json.readTree(response.body()).path("id").asText();
  }

  private void assertProblem(HttpResponse<String> response, int status, String detail)
      throws Exception {
    assertEquals(status, response.statusCode(), response.body());
    assertTrue(
        json.readTree(response.body()).path("detail").asText().contains(detail), response.body());
  }

  private static AgentToServer report(ByteString uid, long capabilities) {
    return fullState(uid, 1, "api-test").toBuilder().setCapabilities(capabilities).build();
  }
}
