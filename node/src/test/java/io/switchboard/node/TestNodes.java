package io.switchboard.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Nodes started by tests: their configuration (every port picked free, data in a temp directory),
 * or their own JVM.
 */
final class TestNodes {

  private static final Random RANDOM = new Random();
  private static final Set<Integer> HANDED_OUT = new HashSet<>();

  private TestNodes() {}

  static Config config() {
    return config(newDataDir(), Map.of());
  }

  static Config config(Map<String, Object> overrides) {
    return config(newDataDir(), overrides);
  }

  static Config config(Path dataDir, Map<String, Object> overrides) {
    Map<String, Object> settings = new HashMap<>();
    settings.put("switchboard.data-dir", dataDir.toString());
    settings.put("switchboard.opamp.port", 0);
    settings.put("switchboard.api.port", 0);
    settings.put("switchboard.metrics.port", 0);
    settings.put("switchboard.metrics.tick-interval", "100ms");
    settings.put("switchboard.metrics.gauge-interval", "200ms");
    settings.put("switchboard.database.embedded.port", 0);
    settings.put("pekko.remote.artery.canonical.port", 0);
    settings.put("pekko.management.http.port", 0);
    // Sweeps often, so that expiry and redelivery show within a test's patience.
    settings.put("switchboard.dispatch.sweep.interval", "200ms");
    settings.put("switchboard.dispatch.sweep.expiry-grace", "0s");
    settings.put("switchboard.dispatch.sweep.redeliver-after", "1s");
    settings.put("switchboard.rollouts.tick", "200ms");
    // Tests of the API itself act as anonymous operators; sign-in has its own tests.
    settings.put("switchboard.api.auth.enabled", false);
    settings.putAll(overrides);
    return ConfigFactory.load(
        ConfigFactory.parseMap(settings).withFallback(ConfigFactory.parseResourcesAnySyntax("application")));
  }

  /**
   * A port free right now, for a node that must know its port before it starts. Taken below the
   * ephemeral range (32768 and up), where the system's own client sockets could take it first, and
   * never handed out twice in this JVM: a port checked free but not yet bound by the node it was
   * picked for (a node process still starting) would otherwise be picked again for another.
   */
  static synchronized int freePort() {
    for (int attempt = 0; attempt < 100; attempt++) {
      int port = 20_000 + RANDOM.nextInt(12_000);
      if (HANDED_OUT.contains(port)) {
        continue;
      }
      try (ServerSocket socket = new ServerSocket(port)) {
        HANDED_OUT.add(port);
        return socket.getLocalPort();
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IllegalStateException("no free port between 20000 and 32000");
  }

  static Path newDataDir() {
    try {
      return Files.createTempDirectory("switchboard-node");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A node as its own JVM, on this test JVM's classpath, with its output in {@code log}; the caller
   * adds the environment, as an operator would configure it.
   */
  static ProcessBuilder nodeProcess(Path log, List<String> jvmOptions) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
  }
}
