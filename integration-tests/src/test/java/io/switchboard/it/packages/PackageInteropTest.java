package io.switchboard.it.packages;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.opamp.client.OpampClient;
import io.opentelemetry.opamp.client.OpampClientBuilder;
import io.opentelemetry.opamp.client.internal.connectivity.websocket.OkHttpWebSocket;
import io.opentelemetry.opamp.client.internal.request.service.WebSocketRequestService;
import io.switchboard.it.ReportingAgent;
import io.switchboard.node.SwitchboardNode;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.testkit.HttpProbe;
import io.switchboard.testkit.TestNodes;
import io.switchboard.testkit.TestPackages;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import opamp.proto.RemoteConfigStatus;
import opamp.proto.RemoteConfigStatuses;
import org.junit.jupiter.api.Test;

/**
 * The OpenTelemetry Java OpAMP client, which cannot take packages, keeps working with a server that
 * advertises OffersPackages and rolls packages out to it: its package envelope fails saying why,
 * the rollout's gate pauses, and the client still takes a remote config.
 */
class PackageInteropTest {

  @Test
  void theJavaClientStillWorksWhenPackagesAreAdvertisedAndRolledOutToIt() throws Exception {
    try (SwitchboardNode node =
        SwitchboardNode.start(TestNodes.config(Map.of("switchboard.rollouts.tick", "500ms")))) {
      byte[] content = TestPackages.content(1_000);
      TestPackages.create(node.apiPort(), "addon", "1", TestPackages.sha256(content));
      assertEquals(
          200, TestPackages.upload(node.apiPort(), "addon", "1", content, false).statusCode());
      String service = "java-" + UUID.randomUUID();
      byte[] uid = OpampClientBuilder.createRandomInstanceUid();
      String instanceUid = InstanceUid.toText(com.google.protobuf.ByteString.copyFrom(uid));
      OpampClient client =
          OpampClient.builder()
              .setInstanceUid(uid)
              .setRequestService(
                  WebSocketRequestService.create(
                      OkHttpWebSocket.create("ws://127.0.0.1:" + node.opampPort() + "/v1/opamp")))
              .putIdentifyingAttribute("service.name", service)
              .enableRemoteConfig()
              .build(ReportingAgent.applying());
      try {
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    HttpProbe.getJson(node.apiPort(), "/api/agents/" + instanceUid)
                        .path("connection_state")
                        .asText()
                        .equals("CONNECTED"));
        // This client sends the full state the server asks for only with its next message: a
        // remote config status makes that message go now, and the selector then matches it.
        client.setRemoteConfigStatus(
            new RemoteConfigStatus.Builder()
                .last_remote_config_hash(okio.ByteString.encodeUtf8("config-0"))
                .status(RemoteConfigStatuses.RemoteConfigStatuses_APPLIED)
                .build());
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    HttpProbe.getJson(node.apiPort(), "/api/agents/" + instanceUid)
                        .at("/description/identifying_attributes/service.name")
                        .asText()
                        .equals(service));
        HttpResponse<String> created =
            HttpProbe.send(
                node.apiPort(),
                "POST",
                "/api/rollouts",
                "{\"packages\": [{\"name\": \"addon\", \"version\": \"1\"}], \"selector\":"
                    + " {\"attributes\": {\"service.name\": \""
                    + service
                    + "\"}}}");
        assertEquals(201, created.statusCode(), created.body());
        String rollout = new ObjectMapper().readTree(created.body()).path("id").asText();
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    HttpProbe.getJson(node.apiPort(), "/api/rollouts/" + rollout)
                        .path("state")
                        .asText()
                        .equals("PAUSED"));
        JsonNode envelopes =
            HttpProbe.getJson(node.apiPort(), "/api/envelopes?agent=" + instanceUid)
                .path("envelopes");
        assertTrue(
            envelopes.toString().contains("the agent does not accept packages"),
            envelopes.toString());

        HttpResponse<String> pushed =
            HttpProbe.send(
                node.apiPort(),
                "PUT",
                "/api/agents/" + instanceUid + "/remote-config",
                "{\"config_map\": {\"c.yaml\": {\"body\": \"receivers: {}\"}}}");
        assertEquals(202, pushed.statusCode(), pushed.body());
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    HttpProbe.getJson(node.apiPort(), "/api/agents/" + instanceUid)
                        .at("/remote_config_status/status")
                        .asText()
                        .equals("APPLIED"));
        assertEquals(
            "CONNECTED",
            HttpProbe.getJson(node.apiPort(), "/api/agents/" + instanceUid)
                .path("connection_state")
                .asText());
      } finally {
        client.close();
      }
    }
  }
}
