package io.switchboard.fleetsim;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.node.SwitchboardNode;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Agents given two targets, one of them down: those that start on the dead one move to the live
 * one, as the agents of a crashed node move to the nodes left.
 */
class ReconnectToOtherTargetTest {

  private static final int AGENTS = 20;

  @Test
  void agentsWhoseTargetIsDownConnectToTheOtherOne() throws Exception {
    try (SwitchboardNode node = TestNode.start(Map.of())) {
      SimulatorSettings settings =
          ArgsParser.parse(
                  "--target",
                  "ws://127.0.0.1:" + refusingPort() + "/v1/opamp",
                  "--target",
                  "ws://127.0.0.1:" + node.opampPort() + "/v1/opamp",
                  "--reconnect-to",
                  "other",
                  "--agents",
                  Integer.toString(AGENTS),
                  "--duration",
                  "60s",
                  "--ramp-up",
                  "0s")
              .orElseThrow();
      FleetSimulator simulator = FleetSimulator.start(settings);
      try {
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> simulator.progress().connectedNow() == AGENTS);
      } finally {
        simulator.stop();
      }
      Summary summary = simulator.summary().toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertEquals(AGENTS, summary.agentsConnected(), summary::toJson);
      // Half of them started on the dead target and failed there once, then went elsewhere.
      assertEquals(
          AGENTS / 2, summary.errors().getOrDefault("connect-failed", 0L), summary::toJson);
      assertTrue(summary.reconnects() >= AGENTS / 2, summary::toJson);
    }
  }

  /** A loopback port nobody listens on: connecting to it is refused at once. */
  private static int refusingPort() throws Exception {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return socket.getLocalPort();
    }
  }
}
