package io.switchboard.testkit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Nodes started by tests: their configuration (every listener on a free port, data in a temp
 * directory), or their own JVM. Both need the node module on the classpath (its {@code
 * application.conf}, its {@code Main}), which this module names rather than depends on.
 */
public final class TestNodes {

  /** The node's entry point, started in its own JVM by {@link #nodeProcess}. */
  public static final String MAIN_CLASS = "io.switchboard.node.Main";

  private TestNodes() {}

  public static Config config() {
    return config(newDataDir(), Map.of());
  }

  public static Config config(Map<String, Object> overrides) {
    return config(newDataDir(), overrides);
  }

  /**
   * A node's whole configuration: the node's {@code application.conf} (and the modules'
   * reference.conf) under these test settings, under {@code overrides}.
   */
  public static Config config(Path dataDir, Map<String, Object> overrides) {
    Map<String, Object> settings = new HashMap<>();
    settings.put("switchboard.data-dir", dataDir.toString());
    // Every listener on a port of its own choosing, so that tests run next to a node started by
    // hand on the default ports, and next to each other.
    settings.put("switchboard.opamp.port", 0);
    settings.put("switchboard.api.port", 0);
    settings.put("switchboard.metrics.port", 0);
    settings.put("switchboard.database.embedded.port", 0);
    settings.put("pekko.remote.artery.canonical.port", 0);
    settings.put("pekko.management.http.port", 0);
    settings.put("switchboard.metrics.tick-interval", "100ms");
    settings.put("switchboard.metrics.gauge-interval", "200ms");
    // Sweeps often, so that expiry and redelivery show within a test's patience.
    settings.put("switchboard.dispatch.sweep.interval", "200ms");
    settings.put("switchboard.dispatch.sweep.expiry-grace", "0s");
    settings.put("switchboard.dispatch.sweep.redeliver-after", "1s");
    settings.put("switchboard.rollouts.tick", "200ms");
    // Tests of the API itself act as anonymous operators; sign-in has its own tests.
    settings.put("switchboard.api.auth.enabled", false);
    settings.putAll(overrides);
    return ConfigFactory.load(
        ConfigFactory.parseMap(settings)
            .withFallback(ConfigFactory.parseResourcesAnySyntax("application")));
  }

  public static Path newDataDir() {
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
  public static ProcessBuilder nodeProcess(Path log, List<String> jvmOptions) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), MAIN_CLASS));
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
  }
}
