package io.switchboard.it.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.switchboard.node.SwitchboardNode;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.opamp.proto.AgentConfigFile;
import io.switchboard.opamp.proto.AgentConfigMap;
import io.switchboard.opamp.proto.EffectiveConfig;
import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.testkit.AgentMessages;
import io.switchboard.testkit.HttpProbe;
import io.switchboard.testkit.RawAgent;
import io.switchboard.testkit.TestDatabase;
import io.switchboard.testkit.TestNodes;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The largest messages cross nodes whole: an agent whose socket is on node A and whose entity is on
 * node B reports a 3 MiB effective config, and an operator pushes it a 2 MiB config through node B
 * (Artery's default frame of 256 KiB would drop both without a word). A node whose frame could not
 * carry its largest message refuses to start.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LargeMessagesAcrossNodesTest {

  private static final int MIB = 1024 * 1024;

  private TestDatabase database;
  private SwitchboardNode a;
  private SwitchboardNode b;

  @BeforeAll
  void startCluster() throws Exception {
    database = TestDatabase.start();
    a = SwitchboardNode.start(TestCluster.nodeConfig(database.url(), List.of(), Map.of()));
    b =
        SwitchboardNode.start(
            TestCluster.nodeConfig(database.url(), List.of(TestCluster.address(a)), Map.of()));
    await().atMost(Duration.ofSeconds(30)).until(() -> TestCluster.upMembers(a) == 2);
    await().atMost(Duration.ofSeconds(30)).until(() -> TestCluster.shardRegions(a) == 2);
  }

  @AfterAll
  void stopCluster() {
    for (SwitchboardNode node : new SwitchboardNode[] {b, a}) {
      if (node != null) {
        node.close();
      }
    }
    database.close();
  }

  @Test
  void aThreeMibReportAndATwoMibConfigCrossNodes() throws Exception {
    Map<String, RawAgent> agents = new LinkedHashMap<>();
    try {
      for (int i = 0; i < 16; i++) {
        ByteString uid = AgentMessages.newUid();
        RawAgent agent = RawAgent.connect(a.opampPort());
        agent.send(
            AgentMessages.fullState(uid, 1, "large").toBuilder()
                .setCapabilities(0x1 | 0x2)
                .build());
        agent.receive();
        agents.put(InstanceUid.toText(uid), agent);
      }
      Set<String> onB = TestCluster.entitiesOn(b);
      String target =
          agents.keySet().stream()
              .filter(onB::contains)
              .findFirst()
              .orElseThrow(() -> new AssertionError("sharding placed none of 16 agents on node B"));
      RawAgent agent = agents.get(target);
      ByteString uid = InstanceUid.toBytes(target);

      byte[] effective = text(3 * MIB);
      agent.send(
          AgentMessages.heartbeat(uid, 2).toBuilder()
              .setCapabilities(0x1 | 0x2)
              .setEffectiveConfig(
                  EffectiveConfig.newBuilder()
                      .setConfigMap(
                          AgentConfigMap.newBuilder()
                              .putConfigMap(
                                  "big.yaml",
                                  AgentConfigFile.newBuilder()
                                      .setBody(ByteString.copyFrom(effective))
                                      .build())))
              .build());
      assertFalse(
          agent.receive(Duration.ofSeconds(20)).hasErrorResponse(),
          "the entity on node B answered");
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                JsonNode stored = HttpProbe.getJson(b.apiPort(), "/api/agents/" + target);
                assertEquals(
                    new String(effective, java.nio.charset.StandardCharsets.UTF_8),
                    stored.at("/effective_config/config_map/big.yaml/body").asText());
              });

      byte[] pushed = new byte[2 * MIB];
      new Random(7).nextBytes(pushed);
      String request =
          "{\"config_map\": {\"big.bin\": {\"body\": \""
              + Base64.getEncoder().encodeToString(pushed)
              + "\", \"body_encoding\": \"base64\"}}}";
      var accepted =
          HttpProbe.send(b.apiPort(), "PUT", "/api/agents/" + target + "/remote-config", request);
      assertEquals(202, accepted.statusCode(), accepted.body());
      ServerToAgent offered = agent.receive(Duration.ofSeconds(20));
      assertArrayEquals(
          pushed,
          offered
              .getRemoteConfig()
              .getConfig()
              .getConfigMapMap()
              .get("big.bin")
              .getBody()
              .toByteArray());

      var tooLarge =
          HttpProbe.send(
              b.apiPort(),
              "PUT",
              "/api/agents/" + target + "/remote-config",
              "{\"config_map\": {\"huge.bin\": {\"body\": \""
                  + Base64.getEncoder().encodeToString(new byte[5 * MIB])
                  + "\", \"body_encoding\": \"base64\"}}}");
      assertEquals(413, tooLarge.statusCode(), "refused up front, not dropped between nodes");
      assertTrue(tooLarge.body().contains("max-config-size"), tooLarge.body());
    } finally {
      agents.values().forEach(RawAgent::close);
    }
  }

  @Test
  void aNodeWhoseFrameCannotCarryItsLargestMessageRefusesToStart() {
    IllegalArgumentException refused =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                SwitchboardNode.start(
                    TestNodes.config(
                        Map.of("pekko.remote.artery.advanced.maximum-frame-size", "256 KiB"))));
    assertTrue(refused.getMessage().contains("maximum-frame-size"), refused.getMessage());
  }

  /** Text of {@code size} bytes (a config file, as agents report them). */
  private static byte[] text(int size) {
    byte[] text = new byte[size];
    for (int i = 0; i < size; i++) {
      text[i] = (byte) (i % 64 == 63 ? '\n' : 'a' + i % 26);
    }
    return text;
  }
}
