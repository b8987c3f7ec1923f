package io.switchboard.it.dashboard;

import static io.switchboard.testkit.AgentMessages.fullState;
import static io.switchboard.testkit.AgentMessages.newUid;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.switchboard.node.SwitchboardNode;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.testkit.HttpProbe;
import io.switchboard.testkit.RawAgent;
import io.switchboard.testkit.TestNodes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The dashboard's live updates: a fleet summary each interval, and the agents that changed. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LiveUpdatesTest {

  private SwitchboardNode node;

  @BeforeAll
  void startNode() {
    node =
        SwitchboardNode.start(TestNodes.config(Map.of("switchboard.api.live-interval", "300ms")));
  }

  @AfterAll
  void stopNode() {
    node.close();
  }

  @Test
  void aBrowserGetsSummariesAndTheAgentsThatChanged() throws Exception {
    HttpResponse<Stream<String>> events =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + node.apiPort() + "/api/events"))
                    .build(),
                HttpResponse.BodyHandlers.ofLines());
    assertTrue(
        events.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
    Iterator<String> lines = events.body().iterator();
    CompletableFuture<String> summary =
        CompletableFuture.supplyAsync(() -> dataOf(lines, "summary"));
    assertTrue(
        summary.get(20, TimeUnit.SECONDS).contains("\"connected\""), "a fleet summary comes first");

    ByteString uid = newUid();
    try (RawAgent agent = RawAgent.connect(node.opampPort())) {
      agent.send(fullState(uid, 1, "live"));
      agent.receive();
      String agents =
          CompletableFuture.supplyAsync(() -> dataOf(lines, "agents")).get(20, TimeUnit.SECONDS);
      assertTrue(agents.contains(InstanceUid.toText(uid)) && agents.contains("CONNECTED"), agents);
    }
    events.body().close();
    assertTrue(
        HttpProbe.metric(node.metricsPort(), "switchboard_live_bus_events_total{event=\"summary\"}")
                .orElse(0)
            >= 1);
  }

  /** The data of the next event of that type (an event's lines end with a blank line). */
  private static String dataOf(Iterator<String> lines, String type) {
    String event = "message";
    StringBuilder data = new StringBuilder();
    while (lines.hasNext()) {
      String line = lines.next();
      if (line.isEmpty()) {
        if (event.equals(type) && data.length() > 0) {
          return data.toString();
        }
        event = "message";
        data.setLength(0);
      } else if (line.startsWith("event:")) {
        event = line.substring(6).trim();
      } else if (line.startsWith("data:")) {
        data.append(line.substring(5).trim());
      }
    }
    throw new AssertionError("the stream ended before a " + type + " event");
  }
}
