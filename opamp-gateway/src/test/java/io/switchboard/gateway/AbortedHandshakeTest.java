package io.switchboard.gateway;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.switchboard.testkit.AgentMessages;
import io.switchboard.testkit.RawAgent;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A WebSocket handshake aborted by the client at any point gives back its admission slot and leaves
 * no session behind: after thousands of them, the sessions gauge is at its baseline and a node full
 * to its last slot takes every agent it has room for.
 */
class AbortedHandshakeTest {

  private static final int MAX_SESSIONS = 40;
  private static final int ABORTS_EACH = 400;

  @Test
  void thousandsOfAbortedHandshakesLeaveNothingBehind() throws Exception {
    try (TestGateway gateway =
        TestGateway.start(
            Map.of(
                "switchboard.opamp.admission.max-sessions",
                MAX_SESSIONS,
                "switchboard.opamp.admission.max-new-connections-per-second",
                100_000))) {
      double baseline = sessions();
      int port = gateway.port();
      ExecutorService clients = Executors.newFixedThreadPool(8);
      try {
        List<Future<?>> aborts = new ArrayList<>();
        for (int i = 0; i < ABORTS_EACH; i++) {
          aborts.add(clients.submit(() -> abort(port, Abort.BEFORE_ANY_BYTE)));
          aborts.add(clients.submit(() -> abort(port, Abort.HALF_A_REQUEST)));
          aborts.add(clients.submit(() -> abort(port, Abort.BEFORE_THE_ANSWER)));
          aborts.add(clients.submit(() -> abort(port, Abort.AFTER_THE_UPGRADE)));
          aborts.add(clients.submit(() -> abort(port, Abort.HALF_A_FRAME)));
        }
        for (Future<?> abort : aborts) {
          abort.get(60, TimeUnit.SECONDS);
        }
      } finally {
        clients.shutdownNow();
      }

      await().atMost(Duration.ofSeconds(30)).until(() -> sessions() == baseline);
      // Every slot came back: the node takes as many agents as it has room for.
      List<RawAgent> agents = new ArrayList<>();
      try {
        for (int i = 0; i < MAX_SESSIONS; i++) {
          RawAgent agent = RawAgent.connect(port);
          agents.add(agent);
          agent.send(AgentMessages.heartbeat(AgentMessages.newUid(), 1));
          assertFalse(agent.receive().hasErrorResponse(), "agent " + i + " admitted");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> sessions() == baseline + MAX_SESSIONS);
        RawAgent oneTooMany = RawAgent.connect(port);
        agents.add(oneTooMany);
        assertEquals(
            io.switchboard.opamp.proto.ServerErrorResponseType.ServerErrorResponseType_Unavailable,
            oneTooMany.receive().getErrorResponse().getType(),
            "and not one more");
      } finally {
        agents.forEach(RawAgent::close);
      }
    }
  }

  private enum Abort {
    BEFORE_ANY_BYTE,
    HALF_A_REQUEST,
    BEFORE_THE_ANSWER,
    AFTER_THE_UPGRADE,
    HALF_A_FRAME
  }

  private static Void abort(int port, Abort when) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      // A reset rather than an orderly close: the harshest way a client can go.
      socket.setSoLinger(true, 0);
      if (when == Abort.BEFORE_ANY_BYTE) {
        return null;
      }
      OutputStream out = socket.getOutputStream();
      String upgrade =
          "GET /v1/opamp HTTP/1.1\r\nHost: 127.0.0.1:"
              + port
              + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
      if (when == Abort.HALF_A_REQUEST) {
        out.write(upgrade.substring(0, upgrade.length() / 2).getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return null;
      }
      out.write(upgrade.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      if (when == Abort.BEFORE_THE_ANSWER) {
        return null;
      }
      InputStream in = socket.getInputStream();
      socket.setSoTimeout(10_000);
      // The 101's headers end with an empty line.
      int matched = 0;
      byte[] end = {'\r', '\n', '\r', '\n'};
      while (matched < end.length) {
        int next = in.read();
        if (next < 0) {
          return null;
        }
        matched = next == end[matched] ? matched + 1 : (next == '\r' ? 1 : 0);
      }
      if (when == Abort.HALF_A_FRAME) {
        // A masked binary frame announcing 100 bytes, of which 3 come.
        out.write(new byte[] {(byte) 0x82, (byte) (0x80 | 100), 1, 2, 3, 4, 9, 9, 9});
        out.flush();
      }
      return null;
    }
  }

  private static double sessions() {
    return TestGateway.metric("switchboard_active_sessions", Map.of("transport", "websocket"));
  }
}
