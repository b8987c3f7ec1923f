package io.switchboard.it.opamp;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.switchboard.cluster.agent.AgentEntity;
import io.switchboard.node.SwitchboardNode;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.opamp.proto.CustomMessage;
import io.switchboard.opamp.proto.ServerErrorResponseType;
import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.testkit.AgentMessages;
import io.switchboard.testkit.HttpProbe;
import io.switchboard.testkit.RawAgent;
import io.switchboard.testkit.RawHttpAgent;
import io.switchboard.testkit.Scrape;
import io.switchboard.testkit.TestNodes;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Each bound on what an agent sends, against a whole node with low limits: the error the agent
 * gets, the counter, and that nothing past the bound reached the agent's entity or its row.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentBoundsTest {

  private static final int NEW_AGENTS_PER_SECOND = 5;

  private SwitchboardNode node;

  @BeforeAll
  void start() {
    node =
        SwitchboardNode.start(
            TestNodes.config(
                Map.of(
                    "switchboard.opamp.admission.max-new-agents-per-second", NEW_AGENTS_PER_SECOND,
                    "switchboard.opamp.limits.description", "1 KiB",
                    "switchboard.opamp.limits.messages-per-second", 1,
                    "switchboard.opamp.limits.message-burst", 5,
                    "switchboard.opamp.limits.refusals-before-close", 5,
                    "switchboard.agent.polls-per-second", 0.2,
                    "switchboard.agent.poll-burst", 2)));
  }

  @AfterAll
  void stop() {
    node.close();
  }

  @Test
  void anAgentCyclingThroughMadeUpInstanceUidsCreatesNoMoreEntitiesOrRowsThanTheBound()
      throws Exception {
    double shedBefore =
        metric("switchboard_connections_shed_total", Map.of("reason", "new-agent-rate"));
    int entitiesBefore = entities();
    long started = System.nanoTime();
    int refused = 0;
    List<String> uids = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      ByteString uid = AgentMessages.newUid();
      uids.add(InstanceUid.toText(uid));
      try (RawAgent agent = RawAgent.connect(node.opampPort())) {
        agent.send(AgentMessages.heartbeat(uid, 1));
        ServerToAgent answer = agent.receive();
        if (answer.hasErrorResponse()) {
          assertEquals(
              ServerErrorResponseType.ServerErrorResponseType_Unavailable,
              answer.getErrorResponse().getType());
          assertTrue(
              answer.getErrorResponse().getRetryInfo().getRetryAfterNanoseconds() > 0,
              "told when to come back");
          assertEquals(1013, agent.closeCode().get(10, TimeUnit.SECONDS));
          refused++;
        }
      }
    }
    int admitted = 40 - refused;
    double seconds = (System.nanoTime() - started) / 1e9;
    long allowed = NEW_AGENTS_PER_SECOND + (long) Math.ceil(seconds * NEW_AGENTS_PER_SECOND);
    assertTrue(refused > 0, "some were turned away");
    assertTrue(admitted <= allowed, (admitted) + " new agents admitted in " + seconds + " s");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertEquals(
                    admitted,
                    rows("SELECT count(*) FROM agents WHERE instance_uid = ANY(?)", uids)));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                metric("switchboard_connections_shed_total", Map.of("reason", "new-agent-rate"))
                    >= shedBefore + (40 - admitted));
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertTrue(
                    entities() - entitiesBefore <= admitted,
                    "a turned-away agent's entity stops: " + (entities() - entitiesBefore)));
  }

  @Test
  void aConnectionOverItsMessageRateIsToldToSlowDownThenClosed() throws Exception {
    ByteString uid = admittedUid();
    double before = metric("switchboard_frames_rejected_total", Map.of("reason", "rate-limited"));
    try (RawAgent agent = RawAgent.connect(node.opampPort())) {
      int unavailable = 0;
      for (int seq = 1; seq <= 20 && !agent.closeCode().isDone(); seq++) {
        agent.send(AgentMessages.heartbeat(uid, seq));
        // Past the refusals in a row the connection closes: then no answer comes.
        java.util.Optional<ServerToAgent> answered = agent.poll(Duration.ofSeconds(3));
        if (answered.isEmpty()) {
          break;
        }
        ServerToAgent answer = answered.get();
        if (answer.getErrorResponse().getType()
            == ServerErrorResponseType.ServerErrorResponseType_Unavailable) {
          assertTrue(answer.getErrorResponse().getErrorMessage().startsWith("rate-limited"));
          assertTrue(answer.getErrorResponse().hasRetryInfo());
          unavailable++;
        }
      }
      assertTrue(unavailable > 0);
      assertEquals(
          1008, agent.closeCode().get(10, TimeUnit.SECONDS), "closed after refusals in a row");
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                metric("switchboard_frames_rejected_total", Map.of("reason", "rate-limited"))
                    > before);
  }

  @Test
  void aDescriptionOverItsLimitIsRefusedAndNeverStored() throws Exception {
    ByteString uid = admittedUid();
    try (RawAgent agent = RawAgent.connect(node.opampPort())) {
      agent.send(AgentMessages.fullState(uid, 1, "x".repeat(2_000)));
      ServerToAgent answer = agent.receive();
      assertEquals(
          ServerErrorResponseType.ServerErrorResponseType_BadRequest,
          answer.getErrorResponse().getType());
      assertTrue(
          answer.getErrorResponse().getErrorMessage().contains("the limit is 1024 bytes"),
          answer.toString());
      agent.send(AgentMessages.fullState(uid, 2, "small"));
      assertFalse(agent.receive().hasErrorResponse(), "the connection carries on");
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertEquals(
                    "small",
                    HttpProbe.getJson(node.apiPort(), "/api/agents/" + InstanceUid.toText(uid))
                        .at("/description/identifying_attributes/service.name")
                        .asText()));
    assertTrue(
        metric("switchboard_frames_rejected_total", Map.of("reason", "description-too-large")) > 0);
  }

  @Test
  void aCustomMessageForAnUndeclaredCapabilityIsRefusedAndNotKept() throws Exception {
    ByteString uid = admittedUid();
    try (RawAgent agent = RawAgent.connect(node.opampPort())) {
      agent.send(
          AgentMessages.heartbeat(uid, 1).toBuilder()
              .setCustomMessage(
                  CustomMessage.newBuilder().setCapability("io.example.undeclared").setType("t"))
              .build());
      assertTrue(
          agent.receive().getErrorResponse().getErrorMessage().contains("io.example.undeclared"));
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                metric(
                        "switchboard_frames_rejected_total",
                        Map.of("reason", "undeclared-custom-capability"))
                    > 0);
    assertTrue(
        HttpProbe.getJson(node.apiPort(), "/api/agents/" + InstanceUid.toText(uid))
            .path("custom_messages")
            .isNull());
  }

  @Test
  void aPollingAgentOverItsRateGets429WithRetryAfter() throws Exception {
    ByteString uid = admittedUid();
    RawHttpAgent agent = new RawHttpAgent(node.opampPort());
    List<Integer> statuses = new ArrayList<>();
    for (int seq = 1; seq <= 3; seq++) {
      statuses.add(agent.poll(AgentMessages.heartbeat(uid, seq)).status());
    }
    assertEquals(List.of(200, 200, 429), statuses);
    RawHttpAgent.Answer refused = agent.poll(AgentMessages.heartbeat(uid, 4));
    assertEquals(429, refused.status());
    assertTrue(refused.response().headers().firstValue("Retry-After").isPresent());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> metric("switchboard_frames_rejected_total", Map.of("reason", "poll-rate")) > 0);
  }

  /** An agent the node knows already, so that the new-agent bound does not get in the way. */
  private ByteString admittedUid() throws Exception {
    ByteString uid = AgentMessages.newUid();
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(300))
        .until(
            () -> {
              try (RawAgent agent = RawAgent.connect(node.opampPort())) {
                agent.send(AgentMessages.heartbeat(uid, 1));
                return !agent.receive().hasErrorResponse();
              }
            });
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                HttpProbe.get(node.apiPort(), "/api/agents/" + InstanceUid.toText(uid)).statusCode()
                    == 200);
    return uid;
  }

  private double metric(String name, Map<String, String> labels) {
    return Scrape.parse(HttpProbe.get(node.metricsPort(), "/metrics").body())
        .sum(name, labels)
        .orElse(0);
  }

  private int rows(String sql, List<String> uids) throws Exception {
    var endpoint = node.database().endpoint();
    try (var connection =
            DriverManager.getConnection(endpoint.jdbcUrl(), endpoint.user(), endpoint.password());
        var statement = connection.prepareStatement(sql)) {
      statement.setArray(1, connection.createArrayOf("text", uids.toArray()));
      try (var result = statement.executeQuery()) {
        result.next();
        return result.getInt(1);
      }
    }
  }

  private int entities() throws Exception {
    ShardRegion.CurrentShardRegionState state =
        AskPattern.<ClusterShardingQuery, ShardRegion.CurrentShardRegionState>ask(
                ClusterSharding.get(node.system()).shardState(),
                replyTo -> new GetShardRegionState(AgentEntity.TYPE_KEY, replyTo),
                Duration.ofSeconds(5),
                node.system().scheduler())
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    return state.getShards().stream().mapToInt(shard -> shard.getEntityIds().size()).sum();
  }
}
