package io.switchboard.fleetsim;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.switchboard.node.SwitchboardNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;

/** A node started inside a test: every port picked free, data in a temporary directory. */
final class TestNode {

  private TestNode() {}

  static SwitchboardNode start(Map<String, Object> overrides) {
    Map<String, Object> settings = new HashMap<>();
    try {
      settings.put("switchboard.data-dir", Files.createTempDirectory("fleet-sim-node").toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    settings.put("switchboard.opamp.port", 0);
    settings.put("switchboard.api.port", 0);
    settings.put("switchboard.metrics.port", 0);
    settings.put("switchboard.database.embedded.port", 0);
    settings.put("pekko.remote.artery.canonical.port", 0);
    settings.put("pekko.management.http.port", 0);
    // The smoke test reads and writes the operator API without signing in.
    settings.put("switchboard.api.auth.enabled", false);
    settings.putAll(overrides);
    Config config =
        ConfigFactory.load(
            ConfigFactory.parseMap(settings)
                .withFallback(ConfigFactory.parseResourcesAnySyntax("application")));
    return SwitchboardNode.start(config);
  }
}
