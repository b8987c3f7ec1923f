package io.switchboard.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.testkit.TestNodes;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One client address holds at most so many connections to the API; others are not held up. */
class ApiConnectionLimitTest {

  @Test
  void connectionsPastTheLimitOfOneAddressGet503UntilOthersClose() throws Exception {
    try (SwitchboardNode node =
        SwitchboardNode.start(
            TestNodes.config(Map.of("switchboard.api.max-connections-per-client", 3)))) {
      List<Socket> idle = new ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          idle.add(new Socket("127.0.0.1", node.apiPort())); // slow clients: they send nothing
        }
        assertEquals("HTTP/1.1 503 Service Unavailable", statusLine(node.apiPort()));
      } finally {
        for (Socket socket : idle) {
          socket.close();
        }
      }
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> statusLine(node.apiPort()).equals("HTTP/1.1 200 OK"));
    }
  }

  private static String statusLine(int port) {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(
              "GET /api/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                  .getBytes(StandardCharsets.US_ASCII));
      return new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
          .readLine();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
