package io.switchboard.it.tracing;

import static io.switchboard.testkit.AgentMessages.fullState;
import static io.switchboard.testkit.AgentMessages.newUid;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.google.protobuf.ByteString;
import io.switchboard.node.SwitchboardNode;
import io.switchboard.observability.tracing.Tracing;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.opamp.proto.CommandType;
import io.switchboard.testkit.HttpProbe;
import io.switchboard.testkit.RawAgent;
import io.switchboard.testkit.TestNodes;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Tracing is off unless asked for: a node whose OTLP endpoint is configured but tracing not enabled
 * sends no span, runs no exporter thread, and puts no trace into the messages of a command.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TracingOffTest {

  private OtlpReceiver receiver;
  private SwitchboardNode node;

  @BeforeAll
  void startNode() {
    receiver = OtlpReceiver.start();
    node =
        SwitchboardNode.start(
            TestNodes.config(
                Map.of(
                    "switchboard.otlp.endpoint",
                    receiver.endpoint(),
                    "switchboard.tracing.export-interval",
                    "100ms")));
  }

  @AfterAll
  void stopNode() {
    node.close();
    receiver.close();
  }

  @Test
  void aNodeWithTracingOffSendsNoSpansAndRunsNoExporter() throws Exception {
    ByteString uid = newUid();
    String path = "/api/agents/" + InstanceUid.toText(uid);
    try (RawAgent agent = RawAgent.connect(node.opampPort())) {
      agent.send(fullState(uid, 1, "untraced").toBuilder().setCapabilities(0x1 | 0x400).build());
      agent.receive();
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> HttpProbe.get(node.apiPort(), path).statusCode() == 200);

      var accepted = HttpProbe.send(node.apiPort(), "POST", path + "/restart", "");
      assertEquals(202, accepted.statusCode(), accepted.body());
      assertEquals(CommandType.CommandType_Restart, agent.receive().getCommand().getType());
    }

    assertFalse(Tracing.get(node.system()).enabled());
    // Another test's nodes in this JVM may still be flushing theirs as they stop: wait them out.
    await("no span exporter thread")
        .atMost(Duration.ofSeconds(15))
        .until(
            () ->
                Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(thread -> thread.getName().contains("BatchSpanProcessor")));
    await("nothing sent to the OTLP endpoint")
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(3))
        .until(() -> receiver.requests() == 0);
  }
}
