package io.switchboard.it.opamp;

import static io.switchboard.testkit.AgentMessages.fullState;
import static io.switchboard.testkit.AgentMessages.newUid;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.switchboard.node.SwitchboardNode;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.opamp.proto.AgentToServer;
import io.switchboard.opamp.proto.ConnectionSettingsOffers;
import io.switchboard.opamp.proto.ConnectionSettingsStatus;
import io.switchboard.opamp.proto.ConnectionSettingsStatuses;
import io.switchboard.opamp.proto.Header;
import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.testkit.HttpProbe;
import io.switchboard.testkit.RawAgent;
import io.switchboard.testkit.TestNodes;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Own telemetry connection settings: the fleet's (from configuration) reach an agent that reports
 * its own metrics and not one that does not; an operator's settings for one agent are re-offered
 * with a new hash, their secret header sealed in storage and shown as "<secret>"; the status the
 * agent reports is shown by the API.
 */
class OwnTelemetrySettingsTest {

  /** ReportsStatus, AcceptsOpAMPConnectionSettings. */
  private static final long BASE = 0x1 | 0x100;

  private static final long REPORTS_OWN_METRICS = 0x40;

  private static final String FLEET_METRICS = "https://metrics.example:4318/v1/metrics";

  private static SwitchboardNode node;

  @BeforeAll
  static void start() {
    byte[] key = new byte[32];
    new java.security.SecureRandom().nextBytes(key);
    node =
        SwitchboardNode.start(
            TestNodes.config(
                Map.of(
                    "switchboard.agent.connection-settings.own-metrics.destination-endpoint",
                    FLEET_METRICS,
                    "switchboard.agent.connection-settings.own-metrics.headers.X-Fleet",
                    "edge",
                    "switchboard.secrets.key",
                    Base64.getEncoder().encodeToString(key))));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void ownMetricsSettingsReachOnlyAgentsThatReportOwnMetricsAndChangesAreOfferedAgain()
      throws Exception {
    ByteString uid = newUid();
    String id = InstanceUid.toText(uid);
    try (RawAgent reporting = RawAgent.connect(node.opampPort());
        RawAgent other = RawAgent.connect(node.opampPort())) {
      reporting.send(
          withCapabilities(fullState(uid, 1, "own-metrics"), BASE | REPORTS_OWN_METRICS));
      ConnectionSettingsOffers first = reporting.receive().getConnectionSettings();
      assertEquals(FLEET_METRICS, first.getOwnMetrics().getDestinationEndpoint());
      assertEquals(
          "edge", first.getOwnMetrics().getHeaders().getHeaders(0).getValue(), "fleet header");
      assertEquals(30, first.getOpamp().getHeartbeatIntervalSeconds());
      assertEquals(32, first.getHash().size());

      ByteString otherUid = newUid();
      other.send(withCapabilities(fullState(otherUid, 1, "no-own-metrics"), BASE));
      ServerToAgent otherReply = other.receive();
      assertTrue(otherReply.hasConnectionSettings(), "the heartbeat is still offered");
      assertFalse(otherReply.getConnectionSettings().hasOwnMetrics());

      // Commands go to stored agents only: wait for both rows.
      for (String stored : new String[] {id, InstanceUid.toText(otherUid)}) {
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () -> HttpProbe.get(node.apiPort(), "/api/agents/" + stored).statusCode() == 200);
      }

      // One agent's own destination, with a secret header: pushed down its socket at once.
      String body =
          """
          {"own_metrics": {"destination_endpoint": "https://mine.example:4318/v1/metrics",
            "headers": {"X-Team": "blue"}, "secret_headers": {"Authorization": "Bearer s3cret"}}}
          """;
      assertEquals(
          202,
          HttpProbe.send(node.apiPort(), "PUT", "/api/agents/" + id + "/connection-settings", body)
              .statusCode());
      ServerToAgent pushed = reporting.receive();
      ConnectionSettingsOffers second = pushed.getConnectionSettings();
      assertEquals(
          "https://mine.example:4318/v1/metrics", second.getOwnMetrics().getDestinationEndpoint());
      assertEquals(
          Map.of("X-Team", "blue", "Authorization", "Bearer s3cret"),
          headers(second),
          "the agent gets the secret in the clear");
      assertNotEquals(first.getHash(), second.getHash());
      assertEquals(30, second.getOpamp().getHeartbeatIntervalSeconds(), "the fleet's still");

      // The same settings for an agent that does not report its own metrics are refused.
      assertEquals(
          409,
          HttpProbe.send(
                  node.apiPort(),
                  "PUT",
                  "/api/agents/" + InstanceUid.toText(otherUid) + "/connection-settings",
                  body)
              .statusCode());

      // Stored and shown without the secret.
      JsonNode envelopes = HttpProbe.getJson(node.apiPort(), "/api/envelopes?agent=" + id);
      String shown = envelopes.toString();
      assertTrue(shown.contains("<secret>"), shown);
      assertFalse(shown.contains("s3cret"), shown);

      // The agent reports it applied them; the API shows it.
      reporting.send(
          AgentToServer.newBuilder()
              .setInstanceUid(uid)
              .setSequenceNum(2)
              .setConnectionSettingsStatus(
                  ConnectionSettingsStatus.newBuilder()
                      .setLastConnectionSettingsHash(second.getHash())
                      .setStatus(ConnectionSettingsStatuses.ConnectionSettingsStatuses_APPLIED))
              .build());
      String hash = HexFormat.of().formatHex(second.getHash().toByteArray());
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> {
                JsonNode status =
                    HttpProbe.getJson(node.apiPort(), "/api/agents/" + id)
                        .path("connection_settings_status");
                return "APPLIED".equals(status.path("status").asText())
                    && hash.equals(status.path("last_connection_settings_hash").asText());
              });
    }
  }

  @Test
  void tooManyConnectionsAndEndpointsThatAreNotUrlsAreRefused() {
    ByteString uid = newUid();
    String path = "/api/agents/" + InstanceUid.toText(uid) + "/connection-settings";
    String tooMany =
        "{\"other_connections\": {"
            + String.join(
                ",",
                java.util.stream.IntStream.range(0, 33)
                    .mapToObj(i -> "\"c" + i + "\": {\"destination_endpoint\": \"x:1\"}")
                    .toList())
            + "}}";
    var refused = HttpProbe.send(node.apiPort(), "PUT", path, tooMany);
    assertEquals(400, refused.statusCode());
    assertTrue(refused.body().contains("at most 32"), refused.body());
    var badEndpoint =
        HttpProbe.send(
            node.apiPort(), "PUT", path, "{\"own_logs\": {\"destination_endpoint\": \"ftp://x\"}}");
    assertEquals(400, badEndpoint.statusCode());
  }

  private static AgentToServer withCapabilities(AgentToServer message, long capabilities) {
    return message.toBuilder().setCapabilities(capabilities).build();
  }

  private static Map<String, String> headers(ConnectionSettingsOffers offers) {
    Map<String, String> headers = new java.util.TreeMap<>();
    for (Header header : offers.getOwnMetrics().getHeaders().getHeadersList()) {
      headers.put(header.getKey(), header.getValue());
    }
    return headers;
  }
}
