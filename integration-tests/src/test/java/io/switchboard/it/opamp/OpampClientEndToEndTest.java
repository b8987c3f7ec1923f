package io.switchboard.it.opamp;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.opentelemetry.opamp.client.OpampClient;
import io.opentelemetry.opamp.client.OpampClientBuilder;
import io.opentelemetry.opamp.client.internal.connectivity.http.OkHttpSender;
import io.opentelemetry.opamp.client.internal.connectivity.websocket.OkHttpWebSocket;
import io.opentelemetry.opamp.client.internal.request.delay.PeriodicDelay;
import io.opentelemetry.opamp.client.internal.request.service.HttpRequestService;
import io.opentelemetry.opamp.client.internal.request.service.WebSocketRequestService;
import io.opentelemetry.opamp.client.request.service.RequestService;
import io.switchboard.it.ReportingAgent;
import io.switchboard.node.SwitchboardNode;
import io.switchboard.opamp.ConfigHash;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.opamp.proto.AgentConfigFile;
import io.switchboard.opamp.proto.AgentConfigMap;
import io.switchboard.testkit.AgentKeys;
import io.switchboard.testkit.HttpProbe;
import io.switchboard.testkit.TestNodes;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.OptionalDouble;
import opamp.proto.RemoteConfigStatus;
import opamp.proto.RemoteConfigStatuses;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * End to end: a node started in-process with its embedded PostgreSQL, and the OpenTelemetry Java
 * OpAMP client (not ours) connecting over a real WebSocket, or polling over real HTTP.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpampClientEndToEndTest {

  private SwitchboardNode node;

  /**
   * With everything the server can offer configured (own telemetry, other connections, another
   * OpAMP endpoint, a CA for certificate requests), so that the client sees every capability the
   * server advertises and must not trip over offers it does not take.
   */
  @BeforeAll
  void startNode() throws Exception {
    AgentKeys.Ca ca = AgentKeys.newCa(Files.createTempDirectory("switchboard-ca"), "interop");
    String settings = "switchboard.agent.connection-settings.";
    node =
        SwitchboardNode.start(
            TestNodes.config(
                Map.of(
                    "switchboard.agent.heartbeat-window",
                    "3s",
                    settings + "own-metrics.destination-endpoint",
                    "https://otel.example:4318/v1/metrics",
                    settings + "own-traces.destination-endpoint",
                    "https://otel.example:4318/v1/traces",
                    settings + "own-logs.destination-endpoint",
                    "https://otel.example:4318/v1/logs",
                    settings + "other-connections.backend.destination-endpoint",
                    "backend.example:4317",
                    "switchboard.opamp.certificates.ca-certificate-pem",
                    ca.certificatePem().toString(),
                    "switchboard.opamp.certificates.ca-private-key-pem",
                    ca.privateKeyPem().toString())));
  }

  @AfterAll
  void stopNode() {
    node.close();
  }

  @Test
  void anOpenTelemetryAgentOverWebSocketIsListedStoredAndCountedWhileConnected() throws Exception {
    connectReportAndLeave(
        WebSocketRequestService.create(
            OkHttpWebSocket.create("ws://127.0.0.1:" + node.opampPort() + "/v1/opamp")),
        "switchboard_active_sessions{transport=\"websocket\"}");
  }

  @Test
  void anOpenTelemetryAgentPollingOverHttpIsListedStoredAndCountedWhileItPolls() throws Exception {
    PeriodicDelay everySecond = PeriodicDelay.ofFixedDuration(Duration.ofSeconds(1));
    connectReportAndLeave(
        HttpRequestService.create(
            OkHttpSender.create("http://127.0.0.1:" + node.opampPort() + "/v1/opamp"),
            everySecond,
            everySecond),
        "switchboard_active_sessions{transport=\"http\"}");
  }

  private void connectReportAndLeave(RequestService transport, String activeSessions)
      throws Exception {
    byte[] uid = OpampClientBuilder.createRandomInstanceUid();
    String instanceUid = InstanceUid.toText(com.google.protobuf.ByteString.copyFrom(uid));

    OpampClient client =
        OpampClient.builder()
            .setInstanceUid(uid)
            .setRequestService(transport)
            .putIdentifyingAttribute("service.name", "checkout")
            .putIdentifyingAttribute("service.instance.id", instanceUid)
            .putNonIdentifyingAttribute("os.type", "linux")
            .enableRemoteConfig()
            .build(ReportingAgent.applying());
    try {
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertEquals(
                      "CONNECTED", agentInApi(instanceUid).path("connection_state").asText()));

      // This client answers ReportFullState only with its next message, which it otherwise sends
      // 30 s later; reporting a remote config status (as an agent does after applying a config)
      // makes that message go now.
      client.setRemoteConfigStatus(
          new RemoteConfigStatus.Builder()
              .last_remote_config_hash(okio.ByteString.encodeUtf8("config-1"))
              .status(RemoteConfigStatuses.RemoteConfigStatuses_APPLIED)
              .build());

      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                assertEquals(
                    "checkout",
                    sql(
                        "SELECT description->'identifying_attributes'->>'service.name' FROM agents"
                            + " WHERE instance_uid = ?",
                        instanceUid));
                assertEquals(
                    "APPLIED",
                    sql(
                        "SELECT remote_config_status->>'status' FROM agents WHERE instance_uid = ?",
                        instanceUid));
              });
      assertEquals(
          "linux",
          sql(
              "SELECT description->'non_identifying_attributes'->>'os.type' FROM agents WHERE instance_uid = ?",
              instanceUid));

      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertEquals(
                      OptionalDouble.of(1), HttpProbe.metric(node.metricsPort(), activeSessions)));

      HttpResponse<String> pushed =
          HttpProbe.send(
              node.apiPort(),
              "PUT",
              "/api/agents/" + instanceUid + "/remote-config",
              "{\"config_map\": {\"collector.yaml\": {\"content_type\": \"text/yaml\", \"body\": \"receivers: {}\"}}}");
      assertEquals(202, pushed.statusCode(), pushed.body());
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                JsonNode status =
                    HttpProbe.getJson(node.apiPort(), "/api/agents/" + instanceUid)
                        .path("remote_config_status");
                assertEquals("APPLIED", status.path("status").asText());
                assertEquals(
                    HexFormat.of().formatHex(ConfigHash.of(COLLECTOR_CONFIG).toByteArray()),
                    status.path("last_remote_config_hash").asText(),
                    "the agent applied the config the server offered");
              });
    } finally {
      client.close();
    }

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertEquals(
                    "DISCONNECTED", agentInApi(instanceUid).path("connection_state").asText()));
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertEquals(
                    OptionalDouble.of(0), HttpProbe.metric(node.metricsPort(), activeSessions)));
  }

  /** The agent's entry in {@code GET /api/agents}, or a missing node while it is not listed. */
  private JsonNode agentInApi(String instanceUid) {
    for (JsonNode agent :
        HttpProbe.getJson(node.apiPort(), "/api/agents?limit=1000").path("agents")) {
      if (agent.path("instance_uid").asText().equals(instanceUid)) {
        return agent;
      }
    }
    return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
  }

  private String sql(String query, String parameter) throws Exception {
    var endpoint = node.database().endpoint();
    try (var connection =
            DriverManager.getConnection(endpoint.jdbcUrl(), endpoint.user(), endpoint.password());
        var statement = connection.prepareStatement(query)) {
      statement.setString(1, parameter);
      try (var result = statement.executeQuery()) {
        return result.next() ? result.getString(1) : null;
      }
    }
  }

  private static final AgentConfigMap COLLECTOR_CONFIG =
      AgentConfigMap.newBuilder()
          .putConfigMap(
              "collector.yaml",
              AgentConfigFile.newBuilder()
                  .setContentType("text/yaml")
                  .setBody(com.google.protobuf.ByteString.copyFromUtf8("receivers: {}"))
                  .build())
          .build();
}
