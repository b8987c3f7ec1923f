package io.switchboard.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigResolveOptions;
import io.switchboard.testkit.TestNodes;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What a node reads from its configuration, and what it sets there for the modules it wires. */
class NodeConfigurationTest {

  @Test
  void byDefaultANodeDoesEverythingOnItsDocumentedPorts() {
    // The node's application.conf over every module's reference.conf, without the environment.
    Config defaults =
        ConfigFactory.parseResourcesAnySyntax("application")
            .withFallback(ConfigFactory.defaultReference())
            .resolve(ConfigResolveOptions.noSystem());
    Config config = NodeRoles.apply(defaults);

    NodeSettings settings = NodeSettings.fromConfig(config);

    assertEquals(Set.of("agents", "operators"), settings.roles());
    assertEquals(4320, settings.opamp().port());
    assertEquals(8080, settings.api().port());
    assertEquals(9095, settings.metrics().port());
    assertEquals(7626, config.getInt("pekko.management.http.port"));
    assertEquals(7355, config.getInt("pekko.remote.artery.canonical.port"));
    assertEquals(15432, config.getInt("switchboard.database.embedded.port"));
    assertEquals("switchboard", settings.clusterName());
  }

  @Test
  void aGzippedPollIsBoundedAfterDecompressionByTheOpampMessageLimit() {
    Config config = TestNodes.config(Map.of("switchboard.opamp.max-message-size", "64 KiB"));

    assertEquals(
        64 * 1024, NodeSettings.fromConfig(NodeRoles.apply(config)).opamp().maxMessageBytes());
    assertEquals(64 * 1024, config.getBytes("pekko.http.routing.decode-max-size"));
  }
}
