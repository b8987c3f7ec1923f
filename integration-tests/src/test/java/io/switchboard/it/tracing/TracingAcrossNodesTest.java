package io.switchboard.it.tracing;

import static io.switchboard.testkit.AgentMessages.fullState;
import static io.switchboard.testkit.AgentMessages.newUid;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.switchboard.it.cluster.TestCluster;
import io.switchboard.it.tracing.OtlpReceiver.ReceivedSpan;
import io.switchboard.node.SwitchboardNode;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.opamp.proto.RemoteConfigStatus;
import io.switchboard.opamp.proto.RemoteConfigStatuses;
import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.testkit.HttpProbe;
import io.switchboard.testkit.RawAgent;
import io.switchboard.testkit.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two nodes in one JVM, tracing into an OTLP receiver in the test: an operator's remote config
 * entering on node B for an agent connected to node A is one trace, from the REST call through the
 * envelope write, the agent's entity (wherever sharding put it) and the session's send to the
 * agent's APPLIED report, with spans from both nodes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TracingAcrossNodesTest {

  private static final String CONFIG =
      "{\"config_map\": {\"collector.yaml\": {\"content_type\": \"text/yaml\", \"body\": \"exporters: {}\"}}}";

  private static final String REST = "PUT /api/agents/{id}/remote-config";

  private final ObjectMapper json = new ObjectMapper();
  private OtlpReceiver receiver;
  private TestDatabase database;
  private SwitchboardNode a;
  private SwitchboardNode b;

  @BeforeAll
  void startCluster() {
    receiver = OtlpReceiver.start();
    database = TestDatabase.start();
    Map<String, Object> tracing =
        Map.of(
            "switchboard.tracing.enabled",
            true,
            "switchboard.otlp.endpoint",
            receiver.endpoint(),
            "switchboard.tracing.export-interval",
            "200ms",
            // The sweep's redelivery carries no trace: on a loaded machine it could hand the
            // envelope to the entity before the dispatcher's traced hand-over arrives.
            "switchboard.dispatch.sweep.redeliver-after",
            "60s");
    a = SwitchboardNode.start(TestCluster.nodeConfig(database.url(), List.of(), tracing));
    b =
        SwitchboardNode.start(
            TestCluster.nodeConfig(database.url(), List.of(TestCluster.address(a)), tracing));
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
    receiver.close();
  }

  @Test
  void aCommandEnteringOnOneNodeForAnAgentOnTheOtherIsOneTraceAcrossBoth() throws Exception {
    ByteString uid = newUid();
    String path = "/api/agents/" + InstanceUid.toText(uid);
    String envelope;
    try (RawAgent agent = RawAgent.connect(a.opampPort())) {
      agent.send(fullState(uid, 1, "traced").toBuilder().setCapabilities(0x1 | 0x2).build());
      agent.receive();
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> HttpProbe.get(b.apiPort(), path).statusCode() == 200);

      var accepted = HttpProbe.send(b.apiPort(), "PUT", path + "/remote-config", CONFIG);
      assertEquals(202, accepted.statusCode(), accepted.body());
      envelope = json.readTree(accepted.body()).path("id").asText();
      ServerToAgent config = agent.receive();
      agent.send(
          fullState(uid, 2, "traced").toBuilder()
              .setCapabilities(0x1 | 0x2)
              .clearAgentDescription()
              .setRemoteConfigStatus(
                  RemoteConfigStatus.newBuilder()
                      .setLastRemoteConfigHash(config.getRemoteConfig().getConfigHash())
                      .setStatus(RemoteConfigStatuses.RemoteConfigStatuses_APPLIED))
              .build());
      agent.receive();
    }

    ReceivedSpan applied =
        await("the APPLIED report's span among " + receiver.spans().size() + " received")
            .atMost(Duration.ofSeconds(20))
            .until(
                () ->
                    receiver.spans().stream()
                        .filter(span -> span.name().equals("envelope.closed"))
                        .filter(span -> envelope.equals(span.attributes().get(ENVELOPE)))
                        .findFirst()
                        .orElse(null),
                span -> span != null);
    String traceId = applied.traceId();
    // Every span of the trace ends before the APPLIED report: all are exported by now or soon.
    Map<String, ReceivedSpan> byName =
        await(
                "every span of trace "
                    + traceId
                    + "; received: "
                    + receiver.spans().stream()
                        .map(span -> span.name() + "@" + span.traceId())
                        .toList())
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    receiver.trace(traceId).stream()
                        .collect(
                            Collectors.toMap(ReceivedSpan::name, Function.identity(), (x, y) -> x)),
                spans ->
                    spans
                        .keySet()
                        .containsAll(
                            Set.of(
                                REST,
                                "envelope.write",
                                "envelope.hand-over",
                                "agent.take-envelope",
                                "session.send")));

    String nodeA = TestCluster.address(a);
    String nodeB = TestCluster.address(b);
    ReceivedSpan rest = byName.get(REST);
    assertEquals("", rest.parentSpanId(), "the REST call begins the trace");
    assertEquals(nodeB, rest.node(), "the REST call was served by node B");
    assertEquals("202", rest.attributes().get("http.response.status_code"));
    assertEquals(rest.spanId(), byName.get("envelope.write").parentSpanId());
    assertEquals(envelope, byName.get("envelope.write").attributes().get(ENVELOPE));
    assertEquals(nodeB, byName.get("envelope.write").node());
    assertEquals(rest.spanId(), byName.get("envelope.hand-over").parentSpanId());
    ReceivedSpan entity = byName.get("agent.take-envelope");
    assertEquals(byName.get("envelope.hand-over").spanId(), entity.parentSpanId());
    assertEquals(InstanceUid.toText(uid), entity.attributes().get(AGENT));
    ReceivedSpan send = byName.get("session.send");
    assertEquals(entity.spanId(), send.parentSpanId(), "the entity's message to the session");
    assertEquals(nodeA, send.node(), "the agent's socket is on node A");
    assertEquals("APPLIED", applied.attributes().get("switchboard.envelope.state"));
    assertEquals(entity.spanId(), applied.parentSpanId());
    assertEquals(entity.node(), applied.node(), "the entity saw the APPLIED report");
    assertEquals(
        Set.of(nodeA, nodeB),
        receiver.trace(traceId).stream().map(ReceivedSpan::node).collect(Collectors.toSet()),
        "one trace, spans from both nodes");
    assertTrue(
        receiver.trace(traceId).stream()
            .allMatch(span -> "switchboard".equals(span.resource().get("service.name"))));
  }

  private static final String ENVELOPE = "switchboard.envelope.id";
  private static final String AGENT = "switchboard.agent.instance_uid";
}
