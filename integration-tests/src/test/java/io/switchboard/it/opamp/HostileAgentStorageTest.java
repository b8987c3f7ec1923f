package io.switchboard.it.opamp;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.switchboard.node.SwitchboardNode;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.opamp.proto.AgentConfigFile;
import io.switchboard.opamp.proto.AgentConfigMap;
import io.switchboard.opamp.proto.AgentDescription;
import io.switchboard.opamp.proto.AgentToServer;
import io.switchboard.opamp.proto.AnyValue;
import io.switchboard.opamp.proto.ArrayValue;
import io.switchboard.opamp.proto.ComponentHealth;
import io.switchboard.opamp.proto.CustomCapabilities;
import io.switchboard.opamp.proto.CustomMessage;
import io.switchboard.opamp.proto.EffectiveConfig;
import io.switchboard.opamp.proto.KeyValue;
import io.switchboard.opamp.proto.KeyValueList;
import io.switchboard.opamp.proto.RemoteConfigStatus;
import io.switchboard.opamp.proto.RemoteConfigStatuses;
import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.testkit.AgentMessages;
import io.switchboard.testkit.HttpProbe;
import io.switchboard.testkit.RawAgent;
import io.switchboard.testkit.TestNodes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What one agent sends cannot stop anyone else's status from being stored: an agent that puts
 * U+0000 (which PostgreSQL text and jsonb cannot hold) in every string of every message it sends,
 * while a thousand others report, is stored with U+FFFD in their place, the thousand are stored
 * too, and the node stays ready. Config bodies are bytes and round-trip exactly.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileAgentStorageTest {

  private static final String NUL = "\u0000";
  private static final int AGENTS = 1000;
  private static final byte[] BINARY_BODY = {
    0, 1, 2, (byte) 0xFF, (byte) 0xFE, 0, 'y', 'a', 'm', 'l', 0
  };

  private SwitchboardNode node;

  @BeforeAll
  void start() {
    node = SwitchboardNode.start(TestNodes.config());
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> HttpProbe.get(node.managementPort(), "/ready").statusCode() == 200);
  }

  @AfterAll
  void stop() {
    node.close();
  }

  @Test
  void anAgentSendingNulEverywhereIsStoredWithReplacementsAndStopsNobodyElse() throws Exception {
    ByteString hostileUid = AgentMessages.newUid();
    String hostile = InstanceUid.toText(hostileUid);
    AtomicInteger notReady = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(16);
    List<RawAgent> agents = new ArrayList<>();
    List<String> uids = new ArrayList<>();
    try (RawAgent attacker = RawAgent.connect(node.opampPort())) {
      // The hostile agent keeps sending poisoned messages while the others report.
      Future<?> poisoning =
          pool.submit(
              () -> {
                for (long seq = 1; seq <= 20; seq++) {
                  attacker.send(poisoned(hostileUid, seq));
                  attacker.receive();
                  if (HttpProbe.get(node.managementPort(), "/ready").statusCode() != 200) {
                    notReady.incrementAndGet();
                  }
                }
                return null;
              });
      List<Future<RawAgent>> connecting = new ArrayList<>();
      for (int i = 0; i < AGENTS; i++) {
        ByteString uid = AgentMessages.newUid();
        uids.add(InstanceUid.toText(uid));
        String service = "svc-" + i;
        connecting.add(
            pool.submit(
                () -> {
                  RawAgent agent = RawAgent.connect(node.opampPort());
                  agent.send(AgentMessages.fullState(uid, 1, service));
                  agent.receive();
                  return agent;
                }));
      }
      for (Future<RawAgent> agent : connecting) {
        agents.add(agent.get(60, TimeUnit.SECONDS));
      }
      poisoning.get(60, TimeUnit.SECONDS);

      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertEquals(
                      String.valueOf(AGENTS),
                      queryOne(
                          "SELECT count(*) FROM agents WHERE description->'identifying_attributes'->>'service.name' LIKE 'svc-%'")));
      assertEquals(0, notReady.get(), "the node stayed ready while the hostile agent reported");
      assertEquals(200, HttpProbe.get(node.managementPort(), "/ready").statusCode());

      JsonNode stored = HttpProbe.getJson(node.apiPort(), "/api/agents/" + hostile);
      assertTrue(
          stored
              .at("/description/identifying_attributes/service.\uFFFDname")
              .asText()
              .startsWith("evil\uFFFD"),
          stored.toString());
      assertEquals("bad\uFFFDstatus", stored.at("/health/status").asText());
      assertEquals("boom\uFFFD", stored.at("/health/last_error").asText());
      assertTrue(stored.at("/health/component_health_map").has("receiver\uFFFDotlp"));
      assertEquals("io.evil\uFFFDcap", stored.at("/custom_capabilities/0").asText());
      assertEquals("no\uFFFDgood", stored.at("/remote_config_status/error_message").asText());
      assertEquals("t\uFFFDpe", stored.at("/custom_messages/io.evil\uFFFDcap/type").asText());
      JsonNode file = stored.at("/effective_config/config_map/conf\uFFFD.yaml");
      assertEquals("text/\uFFFDyaml", file.path("content_type").asText());
      assertEquals("base64", file.path("body_encoding").asText());
      assertArrayEquals(BINARY_BODY, Base64.getDecoder().decode(file.path("body").asText()));
    } finally {
      agents.forEach(RawAgent::close);
      pool.shutdownNow();
    }
  }

  @Test
  void aBinaryRemoteConfigBodyReachesTheAgentAndComesBackThroughTheApiByteForByte()
      throws Exception {
    ByteString uid = AgentMessages.newUid();
    String agentId = InstanceUid.toText(uid);
    try (RawAgent agent = RawAgent.connect(node.opampPort())) {
      agent.send(
          AgentMessages.fullState(uid, 1, "binary").toBuilder().setCapabilities(0x1 | 0x2).build());
      agent.receive();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> HttpProbe.get(node.apiPort(), "/api/agents/" + agentId).statusCode() == 200);

      String body = Base64.getEncoder().encodeToString(BINARY_BODY);
      String request =
          "{\"config_map\": {\"blob.bin\": {\"content_type\": \"application/octet-stream\", \"body\": \""
              + body
              + "\", \"body_encoding\": \"base64\"}}}";
      assertEquals(
          202,
          HttpProbe.send(
                  node.apiPort(), "PUT", "/api/agents/" + agentId + "/remote-config", request)
              .statusCode());

      ServerToAgent offered = agent.receive();
      assertArrayEquals(
          BINARY_BODY,
          offered
              .getRemoteConfig()
              .getConfig()
              .getConfigMapMap()
              .get("blob.bin")
              .getBody()
              .toByteArray());

      assertEquals(
          201,
          HttpProbe.send(node.apiPort(), "POST", "/api/configurations", "{\"name\": \"binary\"}")
              .statusCode());
      assertEquals(
          201,
          HttpProbe.send(node.apiPort(), "POST", "/api/configurations/binary/versions", request)
              .statusCode());
      JsonNode version = HttpProbe.getJson(node.apiPort(), "/api/configurations/binary/versions/1");
      JsonNode file = version.at("/config_map/blob.bin");
      assertEquals("base64", file.path("body_encoding").asText());
      assertArrayEquals(BINARY_BODY, Base64.getDecoder().decode(file.path("body").asText()));
    }
  }

  @Test
  void aTextBodyHoldingNulFromAnOperatorIsRefusedWithAClearError() {
    String request = "{\"config_map\": {\"c.yaml\": {\"body\": \"a\\u0000b\"}}}";
    var answer =
        HttpProbe.send(node.apiPort(), "POST", "/api/configurations", "{\"name\": \"nul\"}");
    assertEquals(201, answer.statusCode());
    var refused =
        HttpProbe.send(node.apiPort(), "POST", "/api/configurations/nul/versions", request);
    assertEquals(400, refused.statusCode());
    assertTrue(refused.body().contains("send it as base64"), refused.body());
  }

  /** Every string of every part an agent reports holds U+0000; the config body is binary. */
  private static AgentToServer poisoned(ByteString uid, long seq) {
    AnyValue nested =
        AnyValue.newBuilder()
            .setKvlistValue(
                KeyValueList.newBuilder()
                    .addValues(
                        kv(
                            "deep" + NUL + "key",
                            AnyValue.newBuilder().setStringValue("deep" + NUL + "value"))))
            .build();
    return AgentToServer.newBuilder()
        .setInstanceUid(uid)
        .setSequenceNum(seq)
        .setCapabilities(0x1 | 0x2 | 0x4 | 0x800)
        .setAgentDescription(
            AgentDescription.newBuilder()
                .addIdentifyingAttributes(
                    kv(
                        "service." + NUL + "name",
                        AnyValue.newBuilder().setStringValue("evil" + NUL + seq)))
                .addNonIdentifyingAttributes(
                    kv(
                        "list" + NUL,
                        AnyValue.newBuilder()
                            .setArrayValue(
                                ArrayValue.newBuilder()
                                    .addValues(AnyValue.newBuilder().setStringValue(NUL))
                                    .addValues(nested)))))
        .setHealth(
            ComponentHealth.newBuilder()
                .setHealthy(false)
                .setStatus("bad" + NUL + "status")
                .setLastError("boom" + NUL)
                .addAttributes(kv("a" + NUL, AnyValue.newBuilder().setStringValue("b" + NUL)))
                .putComponentHealthMap(
                    "receiver" + NUL + "otlp",
                    ComponentHealth.newBuilder().setStatus(NUL).setLastError(NUL + NUL).build()))
        .setEffectiveConfig(
            EffectiveConfig.newBuilder()
                .setConfigMap(
                    AgentConfigMap.newBuilder()
                        .putConfigMap(
                            "conf" + NUL + ".yaml",
                            AgentConfigFile.newBuilder()
                                .setContentType("text/" + NUL + "yaml")
                                .setBody(ByteString.copyFrom(BINARY_BODY))
                                .build())))
        .setRemoteConfigStatus(
            RemoteConfigStatus.newBuilder()
                .setStatus(RemoteConfigStatuses.RemoteConfigStatuses_FAILED)
                .setErrorMessage("no" + NUL + "good")
                .setLastRemoteConfigHash(ByteString.copyFromUtf8("h" + NUL)))
        .setCustomCapabilities(
            CustomCapabilities.newBuilder().addCapabilities("io.evil" + NUL + "cap"))
        .setCustomMessage(
            CustomMessage.newBuilder()
                .setCapability("io.evil" + NUL + "cap")
                .setType("t" + NUL + "pe")
                .setData(ByteString.copyFrom(BINARY_BODY)))
        .build();
  }

  private static KeyValue kv(String key, AnyValue.Builder value) {
    return KeyValue.newBuilder().setKey(key).setValue(value).build();
  }

  private static KeyValue kv(String key, AnyValue value) {
    return KeyValue.newBuilder().setKey(key).setValue(value).build();
  }

  private String queryOne(String sql) throws Exception {
    var endpoint = node.database().endpoint();
    try (var connection =
            java.sql.DriverManager.getConnection(
                endpoint.jdbcUrl(), endpoint.user(), endpoint.password());
        var result = connection.createStatement().executeQuery(sql)) {
      result.next();
      return result.getString(1);
    }
  }
}
