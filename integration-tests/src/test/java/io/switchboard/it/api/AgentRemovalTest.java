package io.switchboard.it.api;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.switchboard.node.SwitchboardNode;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.testkit.AgentMessages;
import io.switchboard.testkit.HttpProbe;
import io.switchboard.testkit.RawAgent;
import io.switchboard.testkit.TestNodes;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An operator removes an agent: its session ends, its row and history go, the audit log says so.
 */
class AgentRemovalTest {

  @Test
  void removingAnAgentEndsItsSessionAndForgetsIt() throws Exception {
    try (SwitchboardNode node = SwitchboardNode.start(TestNodes.config())) {
      ByteString uid = AgentMessages.newUid();
      String id = InstanceUid.toText(uid);
      try (RawAgent agent = RawAgent.connect(node.opampPort())) {
        agent.send(AgentMessages.fullState(uid, 1, "doomed"));
        agent.receive();
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> HttpProbe.get(node.apiPort(), "/api/agents/" + id).statusCode() == 200);

        var removed = HttpProbe.send(node.apiPort(), "DELETE", "/api/agents/" + id, "");
        assertEquals(200, removed.statusCode(), removed.body());
        agent.closeCode().get(10, TimeUnit.SECONDS);
      }
      assertEquals(404, HttpProbe.get(node.apiPort(), "/api/agents/" + id).statusCode());
      assertEquals(
          404, HttpProbe.send(node.apiPort(), "DELETE", "/api/agents/" + id, "").statusCode());
      assertEquals(
          400, HttpProbe.send(node.apiPort(), "DELETE", "/api/agents/not-a-uid", "").statusCode());
      String audit = HttpProbe.getJson(node.apiPort(), "/api/audit?target=agent/" + id).toString();
      assertTrue(audit.contains("agent.delete"), audit);
    }
  }
}
