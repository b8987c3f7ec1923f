package io.switchboard.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;

/** Configuration for nodes started inside tests: every port picked free, data in a temp directory. */
final class TestNodes {

  private TestNodes() {}

  static Config config(Map<String, Object> overrides) {
    try {
      String dataDir = Files.createTempDirectory("switchboard-node").toString();
      Map<String, Object> settings = new java.util.HashMap<>(Map.of(
          "switchboard.data-dir", dataDir,
          "switchboard.opamp.port", 0,
          "switchboard.api.port", 0,
          "switchboard.metrics.port", 0,
          "switchboard.metrics.tick-interval", "100ms",
          "kamon.metric.tick-interval", "100ms",
          "switchboard.database.embedded.port", 0,
          "pekko.remote.artery.canonical.port", 0,
          "pekko.management.http.port", 0));
      settings.putAll(overrides);
      return ConfigFactory.load(
          ConfigFactory.parseMap(settings).withFallback(ConfigFactory.parseResourcesAnySyntax("application")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Config config() {
    return config(Map.of());
  }
}
