package io.switchboard.node;

import static io.switchboard.testkit.AgentMessages.fullState;
import static io.switchboard.testkit.AgentMessages.heartbeat;
import static io.switchboard.testkit.AgentMessages.newUid;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.switchboard.testkit.RawAgent;
import io.switchboard.testkit.TestNodes;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The server's WebSocket pings go only to agents that have sent nothing for the ping interval: an
 * agent that heartbeats more often is never pinged, and by default the interval is above the
 * heartbeat interval offered to agents.
 */
class WebSocketPingTest {

  private static final String PING_INTERVAL =
      "pekko.http.server.websocket.periodic-keep-alive-max-idle";

  @Test
  void byDefaultTheServerPingsLessOftenThanAgentsHeartbeatAndMoreOftenThanBalancersCut() {
    Config node =
        ConfigFactory.parseResourcesAnySyntax("application")
            .withFallback(ConfigFactory.defaultReference())
            .resolve();
    Duration ping = node.getDuration(PING_INTERVAL);
    Duration heartbeat = node.getDuration("switchboard.agent.heartbeat-interval");
    assertTrue(
        ping.compareTo(heartbeat) > 0,
        "ping interval " + ping + " must exceed the heartbeat interval " + heartbeat);
    assertTrue(
        ping.compareTo(Duration.ofSeconds(60)) < 0,
        "ping interval " + ping + " must stay under the 60 s idle timeout of common balancers");
    assertTrue(
        ping.compareTo(node.getDuration("pekko.http.server.idle-timeout")) < 0,
        "the node's own idle timeout must not cut a pinged connection");
  }

  @Test
  void onlyAnAgentThatSentNothingForThePingIntervalIsPinged() throws Exception {
    try (SwitchboardNode node =
            SwitchboardNode.start(TestNodes.config(Map.of(PING_INTERVAL, "3s")));
        RawAgent heartbeating = RawAgent.connect(node.opampPort());
        RawAgent silent = RawAgent.connect(node.opampPort())) {
      ByteString heartbeatingUid = newUid();
      heartbeating.send(fullState(heartbeatingUid, 1, "heartbeating"));
      heartbeating.receive();
      // Heartbeats every 500 ms from now on, well inside the 3 s ping interval (room for a loaded
      // machine), while the other agent says hello once and then stays silent.
      AtomicLong seq = new AtomicLong(1);
      AtomicReference<Throwable> failed = new AtomicReference<>();
      ScheduledExecutorService beats = Executors.newSingleThreadScheduledExecutor();
      try {
        beats.scheduleAtFixedRate(
            () -> {
              try {
                heartbeating.send(heartbeat(heartbeatingUid, seq.incrementAndGet()));
              } catch (Throwable e) {
                failed.compareAndSet(null, e);
                throw new IllegalStateException(e);
              }
            },
            500,
            500,
            TimeUnit.MILLISECONDS);
        ByteString silentUid = newUid();
        silent.send(fullState(silentUid, 1, "silent"));
        silent.receive();

        await()
            .atMost(Duration.ofSeconds(60))
            .untilAsserted(
                () ->
                    assertTrue(
                        silent.pings() >= 3,
                        "the silent agent is pinged once per interval: " + silent.pings()));
      } finally {
        beats.shutdownNow();
      }
      assertNull(failed.get(), "every heartbeat was sent");
      assertTrue(seq.get() > 10, "the other agent kept heartbeating meanwhile: " + seq.get());
      assertEquals(0, heartbeating.pings(), "an agent that heartbeats is never pinged");
    }
  }
}
