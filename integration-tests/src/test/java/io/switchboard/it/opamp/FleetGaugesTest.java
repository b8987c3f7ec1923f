package io.switchboard.it.opamp;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.switchboard.node.SwitchboardNode;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.opamp.proto.AgentDescription;
import io.switchboard.opamp.proto.AgentDisconnect;
import io.switchboard.opamp.proto.AgentToServer;
import io.switchboard.opamp.proto.AnyValue;
import io.switchboard.opamp.proto.ComponentHealth;
import io.switchboard.opamp.proto.KeyValue;
import io.switchboard.opamp.proto.RemoteConfigStatus;
import io.switchboard.opamp.proto.RemoteConfigStatuses;
import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.testkit.AgentMessages;
import io.switchboard.testkit.HttpProbe;
import io.switchboard.testkit.RawAgent;
import io.switchboard.testkit.Scrape;
import io.switchboard.testkit.TestNodes;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The fleet gauges against a fleet whose every agent the test made (a node on its own fresh
 * database): by connection state, health, drift and version.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FleetGaugesTest {

  private static final long ACCEPTS_REMOTE_CONFIG = 0x1 | 0x2;

  private SwitchboardNode node;

  @BeforeAll
  void start() {
    node =
        SwitchboardNode.start(
            TestNodes.config(
                // The node's own gauges tick rarely: every gauge here is the fleet singleton's.
                Map.of(
                    "switchboard.metrics.fleet-gauge-interval",
                    "200ms",
                    "switchboard.metrics.gauge-interval",
                    "1h")));
  }

  @AfterAll
  void stop() {
    node.close();
  }

  @Test
  @Order(1)
  void theGaugesCountAKnownFleet() throws Exception {
    List<RawAgent> agents = new ArrayList<>();
    try {
      // Three healthy 1.0 agents, one unhealthy 2.0 agent, one 2.0 agent that disconnects.
      for (int i = 0; i < 3; i++) {
        agents.add(agent(AgentMessages.newUid(), "1.0", true, ACCEPTS_REMOTE_CONFIG));
      }
      agents.add(agent(AgentMessages.newUid(), "2.0", false, 0x1));
      ByteString leaving = AgentMessages.newUid();
      RawAgent gone = agent(leaving, "2.0", true, 0x1);
      gone.send(
          AgentMessages.heartbeat(leaving, 2).toBuilder()
              .setAgentDisconnect(AgentDisconnect.getDefaultInstance())
              .build());
      gone.close();

      // One agent is sent a config it does not apply: it drifts.
      String drifting = InstanceUid.toText(firstUid);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> HttpProbe.get(node.apiPort(), "/api/agents/" + drifting).statusCode() == 200);
      assertEquals(
          202,
          HttpProbe.send(
                  node.apiPort(),
                  "PUT",
                  "/api/agents/" + drifting + "/remote-config",
                  "{\"config_map\": {\"c.yaml\": {\"content_type\": \"text/yaml\", \"body\": \"a: 1\"}}}")
              .statusCode());

      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () -> {
                Scrape scrape = Scrape.of(node.metricsPort());
                assertEquals(4, gauge(scrape, "switchboard_fleet_agents", "state", "connected"));
                assertEquals(1, gauge(scrape, "switchboard_fleet_agents", "state", "disconnected"));
                assertEquals(
                    4, gauge(scrape, "switchboard_fleet_agents_health", "health", "healthy"));
                assertEquals(
                    1, gauge(scrape, "switchboard_fleet_agents_health", "health", "unhealthy"));
                assertEquals(
                    0, gauge(scrape, "switchboard_fleet_agents_health", "health", "unknown"));
                assertEquals(
                    1, gauge(scrape, "switchboard_fleet_agents_drift", "drift", "drifted"));
                assertEquals(
                    4, gauge(scrape, "switchboard_fleet_agents_drift", "drift", "in-sync"));
                assertEquals(
                    3, gauge(scrape, "switchboard_fleet_agents_version", "version", "1.0"));
                assertEquals(
                    2, gauge(scrape, "switchboard_fleet_agents_version", "version", "2.0"));
                assertEquals(
                    0, gauge(scrape, "switchboard_fleet_agents_version", "version", "other"));
              });
      assertTrue(
          Scrape.of(node.metricsPort()).startingWith("switchboard_fleet_agents_version").size()
              == 3,
          "one series per version, and other");
    } finally {
      agents.forEach(RawAgent::close);
    }
  }

  /**
   * Runs after the counts (its agent would change them): an assignment's config sent to a connected
   * agent that has not applied it makes the gauge rise; once the agent applies it, it returns to 0.
   */
  @Test
  @Order(2)
  void theOldestUnappliedAssignmentIsMeasuredUntilItsAgentAppliesIt() throws Exception {
    String oldest = "switchboard_assignment_oldest_unapplied_seconds";
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> Scrape.of(node.metricsPort()).sum(oldest, Map.of()).orElse(-1) == 0);
    String configuration = "unapplied-" + UUID.randomUUID();
    assertEquals(
        201,
        HttpProbe.send(
                node.apiPort(),
                "POST",
                "/api/configurations",
                "{\"name\": \"" + configuration + "\"}")
            .statusCode());
    HttpProbe.send(
        node.apiPort(),
        "POST",
        "/api/configurations/" + configuration + "/versions",
        "{\"config_map\": {\"c.yaml\": {\"content_type\": \"text/yaml\", \"body\": \"a: 2\"}}}");
    HttpProbe.send(
        node.apiPort(), "POST", "/api/configurations/" + configuration + "/versions/1/publish", "");
    HttpResponse<String> assigned =
        HttpProbe.send(
            node.apiPort(),
            "POST",
            "/api/assignments",
            "{\"name\": \""
                + configuration
                + "\", \"configuration\": \""
                + configuration
                + "\", \"version\": 1, \"selector\": {\"attributes\": \"service.name=unapplied\"}}");
    assertEquals(201, assigned.statusCode(), assigned.body());

    ByteString uid = AgentMessages.newUid();
    try (RawAgent agent = RawAgent.connect(node.opampPort())) {
      agent.send(
          AgentMessages.fullState(uid, 1, "unapplied").toBuilder()
              .setCapabilities(ACCEPTS_REMOTE_CONFIG | 0x1000)
              .build());
      ServerToAgent offered = agent.receive();
      while (!offered.hasRemoteConfig()) {
        offered = agent.receive(Duration.ofSeconds(30));
      }
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> Scrape.of(node.metricsPort()).sum(oldest, Map.of()).orElse(-1) > 0);

      agent.send(
          AgentMessages.heartbeat(uid, 2).toBuilder()
              .setCapabilities(ACCEPTS_REMOTE_CONFIG | 0x1000)
              .setRemoteConfigStatus(
                  RemoteConfigStatus.newBuilder()
                      .setLastRemoteConfigHash(offered.getRemoteConfig().getConfigHash())
                      .setStatus(RemoteConfigStatuses.RemoteConfigStatuses_APPLIED))
              .build());
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> Scrape.of(node.metricsPort()).sum(oldest, Map.of()).orElse(-1) == 0);
    }
  }

  private ByteString firstUid;

  private RawAgent agent(ByteString uid, String version, boolean healthy, long capabilities)
      throws Exception {
    if (firstUid == null) {
      firstUid = uid;
    }
    RawAgent agent = RawAgent.connect(node.opampPort());
    AgentToServer report =
        AgentToServer.newBuilder()
            .setInstanceUid(uid)
            .setSequenceNum(1)
            .setCapabilities(capabilities)
            .setAgentDescription(
                AgentDescription.newBuilder()
                    .addIdentifyingAttributes(attribute("service.name", "gauged"))
                    .addIdentifyingAttributes(attribute("service.version", version)))
            .setHealth(ComponentHealth.newBuilder().setHealthy(healthy).setStatus("s"))
            .build();
    agent.send(report);
    agent.receive();
    return agent;
  }

  private static KeyValue attribute(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }

  private static double gauge(Scrape scrape, String name, String label, String value) {
    return scrape.sum(name, Map.of(label, value)).orElse(-1);
  }
}
