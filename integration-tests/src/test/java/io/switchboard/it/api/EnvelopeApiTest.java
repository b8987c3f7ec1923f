package io.switchboard.it.api;

import static io.switchboard.testkit.AgentMessages.fullState;
import static io.switchboard.testkit.AgentMessages.heartbeat;
import static io.switchboard.testkit.AgentMessages.newUid;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.switchboard.node.SwitchboardNode;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.opamp.proto.AgentToServer;
import io.switchboard.opamp.proto.CommandType;
import io.switchboard.opamp.proto.ServerToAgent;
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
 * Dispatch envelopes through the REST API: stored before the answer, kept for an agent that is
 * away, expired at their deadline, made once per idempotency key, audited, and listed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EnvelopeApiTest {

  private static final long RESTARTABLE = 0x1 | 0x400;

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
  void aCommandForAnOfflineAgentIsDeliveredWhenItReconnects() throws Exception {
    ByteString uid = newUid();
    String path = "/api/agents/" + InstanceUid.toText(uid);
    connectOnceAndLeave(uid);

    JsonNode pending = accepted(HttpProbe.send(node.apiPort(), "POST", path + "/restart", ""));
    assertEquals("PENDING", pending.path("state").asText());
    String id = pending.path("id").asText();
    assertEquals("PENDING", dispatch(id).path("state").asText(), "stored before the API answered");

    try (RawAgent agent = RawAgent.connect(node.opampPort())) {
      agent.send(report(uid, 1));
      ServerToAgent first = agent.receive();
      ServerToAgent command = first.hasCommand() ? first : agent.receive();
      assertEquals(CommandType.CommandType_Restart, command.getCommand().getType());
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> dispatch(id).path("state").asText().equals("SENT"));
      assertTrue(!dispatch(id).path("sent_by_node").isNull());
    }
  }

  @Test
  void oneAgentGetsItsOwnHeartbeatInterval() throws Exception {
    ByteString uid = newUid();
    String path = "/api/agents/" + InstanceUid.toText(uid);
    try (RawAgent agent = RawAgent.connect(node.opampPort())) {
      agent.send(
          fullState(uid, 1, "dispatch-test").toBuilder().setCapabilities(0x1 | 0x100).build());
      assertEquals(
          30,
          agent.receive().getConnectionSettings().getOpamp().getHeartbeatIntervalSeconds(),
          "the fleet's");
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> HttpProbe.get(node.apiPort(), path).statusCode() == 200);

      JsonNode sent =
          accepted(
              HttpProbe.send(
                  node.apiPort(),
                  "PUT",
                  path + "/connection-settings",
                  "{\"heartbeat_interval_seconds\": 60}"));
      assertEquals("SENT", sent.path("state").asText());
      assertEquals("CONNECTION_SETTINGS", sent.path("kind").asText());
      assertEquals(
          60, agent.receive().getConnectionSettings().getOpamp().getHeartbeatIntervalSeconds());
      assertProblem(
          HttpProbe.send(
              node.apiPort(),
              "PUT",
              path + "/connection-settings",
              "{\"heartbeat_interval_seconds\": 0}"),
          400,
          "1 to 86400");
    }
  }

  @Test
  void aCommandPastItsDeadlineIsMarkedExpiredAndNeverSent() throws Exception {
    ByteString uid = newUid();
    String path = "/api/agents/" + InstanceUid.toText(uid);
    connectOnceAndLeave(uid);

    String id =
        accepted(HttpProbe.send(node.apiPort(), "POST", path + "/restart?deadline=PT1S", ""))
            .path("id")
            .asText();

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> dispatch(id).path("state").asText().equals("EXPIRED"));
    assertTrue(dispatch(id).path("detail").asText().contains("deadline"), dispatch(id).toString());
    try (RawAgent agent = RawAgent.connect(node.opampPort())) {
      agent.send(report(uid, 1));
      assertEquals(false, agent.receive().hasCommand());
      agent.send(heartbeat(uid, 2).toBuilder().setCapabilities(RESTARTABLE).build());
      assertEquals(false, agent.receive().hasCommand(), "an expired command never goes out");
    }
  }

  @Test
  void theSameIdempotencyKeyTwiceMakesOneEnvelope() throws Exception {
    ByteString uid = newUid();
    String agent = InstanceUid.toText(uid);
    String path = "/api/agents/" + agent;
    connectOnceAndLeave(uid);
    Map<String, String> key = Map.of("Idempotency-Key", "key-" + UUID.randomUUID());

    HttpResponse<String> first = HttpProbe.send(node.apiPort(), "POST", path + "/restart", "", key);
    HttpResponse<String> retry = HttpProbe.send(node.apiPort(), "POST", path + "/restart", "", key);

    assertEquals(202, first.statusCode(), first.body());
    assertEquals(200, retry.statusCode(), retry.body());
    assertEquals(json.readTree(first.body()).path("id"), json.readTree(retry.body()).path("id"));
    assertEquals(
        1,
        HttpProbe.getJson(node.apiPort(), "/api/envelopes?agent=" + agent)
            .path("envelopes")
            .size());

    HttpResponse<String> reused =
        HttpProbe.send(
            node.apiPort(),
            "POST",
            path + "/custom-messages",
            "{\"capability\": \"io.example.ping\", \"type\": \"ping\"}",
            key);
    assertEquals(422, reused.statusCode(), reused.body());
    assertEquals(
        json.readTree(first.body()).path("id"), json.readTree(reused.body()).path("envelope"));
    assertEquals(
        1,
        HttpProbe.getJson(node.apiPort(), "/api/envelopes?agent=" + agent)
            .path("envelopes")
            .size());
  }

  @Test
  void everyDispatchIsAuditedWithWhoAskedForIt() throws Exception {
    ByteString uid = newUid();
    String agent = InstanceUid.toText(uid);
    connectOnceAndLeave(uid);

    String id =
        accepted(
                HttpProbe.send(
                    node.apiPort(),
                    "POST",
                    "/api/agents/" + agent + "/restart",
                    "",
                    Map.of("X-Switchboard-Operator", "ops-alice")))
            .path("id")
            .asText();

    JsonNode events =
        HttpProbe.getJson(node.apiPort(), "/api/audit?target=agent/" + agent).path("events");
    assertEquals(1, events.size(), events.toString());
    assertEquals("ops-alice", events.path(0).path("actor").asText());
    assertEquals("dispatch.restart", events.path(0).path("action").asText());
    assertEquals(id, events.path(0).at("/after/envelope").asText());
  }

  @Test
  void envelopesPageNewestFirst() throws Exception {
    ByteString uid = newUid();
    String agent = InstanceUid.toText(uid);
    connectOnceAndLeave(uid);
    String older =
        accepted(HttpProbe.send(node.apiPort(), "POST", "/api/agents/" + agent + "/restart", ""))
            .path("id")
            .asText();
    String newer =
        accepted(HttpProbe.send(node.apiPort(), "POST", "/api/agents/" + agent + "/restart", ""))
            .path("id")
            .asText();

    JsonNode firstPage = HttpProbe.getJson(node.apiPort(), "/api/envelopes?limit=1&agent=" + agent);
    assertEquals(newer, firstPage.at("/envelopes/0/id").asText());
    JsonNode secondPage =
        HttpProbe.getJson(
            node.apiPort(),
            "/api/envelopes?limit=1&agent=" + agent + "&before=" + firstPage.path("next").asText());
    assertEquals(older, secondPage.at("/envelopes/0/id").asText());
    assertEquals(
        2,
        HttpProbe.getJson(node.apiPort(), "/api/envelopes?state=pending&agent=" + agent)
            .path("envelopes")
            .size());
  }

  /** The agent becomes known to Switchboard (with the restart capability), then goes away. */
  private void connectOnceAndLeave(ByteString uid) throws Exception {
    try (RawAgent agent = RawAgent.connect(node.opampPort())) {
      agent.send(report(uid, 1));
      agent.receive();
    }
    String path = "/api/agents/" + InstanceUid.toText(uid);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                HttpProbe.getJson(node.apiPort(), path)
                    .path("connection_state")
                    .asText()
                    .equals("DISCONNECTED"));
  }

  private static AgentToServer report(ByteString uid, long seq) {
    return fullState(uid, seq, "dispatch-test").toBuilder().setCapabilities(RESTARTABLE).build();
  }

  private JsonNode accepted(HttpResponse<String> response) throws Exception {
    assertEquals(202, response.statusCode(), response.body());
    return json.readTree(response.body());
  }

  private JsonNode dispatch(String id) {
    return HttpProbe.getJson(node.apiPort(), "/api/envelopes/" + id);
  }

  private void assertProblem(HttpResponse<String> response, int status, String detail)
      throws Exception {
    assertEquals(status, response.statusCode(), response.body());
    assertEquals(
        "application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
    assertTrue(
        json.readTree(response.body()).path("detail").asText().contains(detail), response.body());
  }
}
