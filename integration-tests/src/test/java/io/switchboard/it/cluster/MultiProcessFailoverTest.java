package io.switchboard.it.cluster;

import static io.switchboard.testkit.AgentMessages.fullState;
import static io.switchboard.testkit.AgentMessages.newUid;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.opamp.proto.AgentToServer;
import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.testkit.FreePorts;
import io.switchboard.testkit.HttpProbe;
import io.switchboard.testkit.RawAgent;
import io.switchboard.testkit.TestDatabase;
import io.switchboard.testkit.TestNodes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Three node processes on loopback and one PostgreSQL; the one holding every agent's socket is
 * killed with SIGKILL. The agents come back through a survivor and every command submitted while
 * the node was dead reaches its agent. Run alone with {@code -Dgroups=slow}.
 */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MultiProcessFailoverTest {

  private final ObjectMapper json = new ObjectMapper();
  private TestDatabase database;
  private final List<NodeProcess> nodes = new ArrayList<>();

  /** A node started as its own JVM, configured through environment variables as in production. */
  private record NodeProcess(
      Process process, int opampPort, int apiPort, int remotePort, Path log) {

    /**
     * True once the node is up; a node that exited (a port taken, say) fails at once, with its log.
     */
    boolean answersHealth() throws IOException {
      if (!process.isAlive()) {
        throw new NodeExited(log);
      }
      return HttpProbe.get(apiPort, "/api/health").statusCode() == 200;
    }
  }

  private static final class NodeExited extends IllegalStateException {
    NodeExited(Path log) throws IOException {
      super(
          "a node process exited while starting; the last lines of "
              + log
              + ":\n"
              + String.join("\n", lastLines(log)));
    }

    private static List<String> lastLines(Path log) throws IOException {
      List<String> lines =
          Files.readAllLines(log).stream().filter(line -> !line.startsWith("\tat ")).toList();
      return lines.subList(Math.max(0, lines.size() - 5), lines.size());
    }
  }

  @BeforeAll
  void startNodes() throws Exception {
    database = TestDatabase.start();
    int seedPort = FreePorts.next();
    for (int i = 0; i < 3; i++) {
      nodes.add(startNode(i, i == 0 ? seedPort : FreePorts.next(), seedPort));
    }
    for (NodeProcess node : nodes) {
      await()
          .atMost(Duration.ofSeconds(120))
          .ignoreExceptionsMatching(notYet -> !(notYet instanceof NodeExited))
          .until(() -> node.answersHealth());
    }
  }

  @AfterAll
  void stopNodes() throws Exception {
    for (NodeProcess node : nodes) {
      node.process().destroy();
    }
    for (NodeProcess node : nodes) {
      node.process().onExit().get();
    }
    database.close();
  }

  @Test
  void afterSigkillTheAgentsComeBackThroughASurvivorAndCommandsReachThem() throws Exception {
    NodeProcess doomed = nodes.get(1);
    NodeProcess survivor = nodes.get(0);
    Map<String, ByteString> agents = new LinkedHashMap<>();
    List<RawAgent> sockets = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      ByteString uid = newUid();
      RawAgent agent = RawAgent.connect(doomed.opampPort());
      agent.send(report(uid, 1));
      agent.receive(Duration.ofSeconds(30));
      agents.put(InstanceUid.toText(uid), uid);
      sockets.add(agent);
    }

    for (String uid : agents.keySet()) {
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> HttpProbe.get(survivor.apiPort(), "/api/agents/" + uid).statusCode() == 200);
    }

    long killedAt = System.nanoTime();
    doomed.process().destroyForcibly();
    doomed.process().onExit().get();
    sockets.forEach(RawAgent::close);
    List<String> restarts = new ArrayList<>();
    for (String uid : agents.keySet()) {
      var response =
          HttpProbe.send(survivor.apiPort(), "POST", "/api/agents/" + uid + "/restart", "");
      assertEquals(202, response.statusCode(), response.body());
      restarts.add(json.readTree(response.body()).path("id").asText());
    }

    Map<String, RawAgent> reconnected = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, ByteString> agent : agents.entrySet()) {
        RawAgent socket = RawAgent.connect(survivor.opampPort());
        socket.send(report(agent.getValue(), 1));
        reconnected.put(agent.getKey(), socket);
      }
      Map<String, Boolean> restarted = new LinkedHashMap<>();
      long seq = 1;
      for (int round = 0; round < 60 && restarted.size() < agents.size(); round++) {
        seq++;
        Duration patience = Duration.ofSeconds(2);
        for (Map.Entry<String, RawAgent> agent : reconnected.entrySet()) {
          if (restarted.containsKey(agent.getKey())) {
            continue;
          }
          Optional<ServerToAgent> message = agent.getValue().poll(patience);
          patience = Duration.ZERO;
          if (message.isEmpty()) {
            agent.getValue().send(report(agents.get(agent.getKey()), seq));
          } else if (message.get().hasCommand()) {
            restarted.put(agent.getKey(), true);
          }
        }
      }
      System.out.printf(
          "MultiProcessFailoverTest: %d of %d agents got the restart submitted after SIGKILL, %d ms after the kill%n",
          restarted.size(), agents.size(), (System.nanoTime() - killedAt) / 1_000_000);
      assertEquals(agents.keySet(), restarted.keySet(), "every agent got its restart");
      for (String id : restarts) {
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    HttpProbe.getJson(survivor.apiPort(), "/api/envelopes/" + id)
                        .path("state")
                        .asText()
                        .equals("SENT"));
      }
    } finally {
      reconnected.values().forEach(RawAgent::close);
    }
  }

  private NodeProcess startNode(int index, int remotePort, int seedPort) throws IOException {
    int opampPort = FreePorts.next();
    int apiPort = FreePorts.next();
    Path dataDir = Files.createTempDirectory("switchboard-process");
    Path log = Path.of("target", "multi-process-node-" + index + ".log");
    ProcessBuilder builder =
        TestNodes.nodeProcess(
            log,
            List.of(
                "-Xmx256m",
                "-Dpekko.cluster.split-brain-resolver.stable-after=3s",
                "-Dpekko.cluster.sharding.lease-retry-interval=1s",
                "-Dswitchboard.dispatch.sweep.interval=500ms",
                "-Dswitchboard.dispatch.sweep.redeliver-after=2s",
                "-Dswitchboard.api.ask-timeout=2s"));
    Map<String, String> env = builder.environment();
    env.put("SWITCHBOARD_DATABASE_URL", database.url());
    env.put("SWITCHBOARD_DATA_DIR", dataDir.toString());
    env.put("SWITCHBOARD_OPAMP_PORT", Integer.toString(opampPort));
    env.put("SWITCHBOARD_API_PORT", Integer.toString(apiPort));
    env.put("SWITCHBOARD_METRICS_PORT", Integer.toString(FreePorts.next()));
    env.put("SWITCHBOARD_MANAGEMENT_PORT", Integer.toString(FreePorts.next()));
    env.put("SWITCHBOARD_REMOTE_PORT", Integer.toString(remotePort));
    env.put("SWITCHBOARD_SEED_NODES", "pekko://switchboard@127.0.0.1:" + seedPort);
    env.put("SWITCHBOARD_LEASE_TTL", "4s");
    env.put("SWITCHBOARD_AUTH_ENABLED", "false");
    env.put("SWITCHBOARD_LEASE_RENEW_INTERVAL", "1s");
    return new NodeProcess(builder.start(), opampPort, apiPort, remotePort, log);
  }

  private static AgentToServer report(ByteString uid, long seq) {
    return fullState(uid, seq, "multi-process").toBuilder().setCapabilities(0x1 | 0x400).build();
  }
}
