package io.switchboard.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An operator's configuration file, layered over the node's own files. That environment variables
 * win over the file is checked in a process of its own, by the distribution's test.
 */
class NodeConfigTest {

  @TempDir Path dir;

  @Test
  void aNamedFileChangesSettingsAndKeepsTheNodesOwnFiles() throws Exception {
    Path file = dir.resolve("switchboard.conf");
    Files.writeString(
        file, "switchboard.api.port = 18081\nswitchboard.opamp.max-message-size = 1 MiB\n");

    Config config = NodeConfig.load(properties(Map.of(NodeConfig.FILE_SETTING, file.toString())));

    assertEquals(18081, config.getInt("switchboard.api.port"));
    assertEquals(1024 * 1024, config.getBytes("switchboard.opamp.max-message-size"));
    assertEquals(
        1024 * 1024,
        config.getBytes("pekko.http.routing.decode-max-size"),
        "a setting of the node's opamp.conf that follows the file's value");
    assertEquals(
        "cluster", config.getString("pekko.actor.provider"), "the node's application.conf stays");
  }

  @Test
  void aFileChangesWhatItSaysAndNothingElse() throws Exception {
    Path file = dir.resolve("switchboard.conf");
    Files.writeString(file, "switchboard.api.port = 18081\n");
    Config withoutFile =
        ConfigFactory.parseResourcesAnySyntax("application")
            .withFallback(ConfigFactory.defaultReference())
            .resolve();

    Config config = NodeConfig.load(properties(Map.of(NodeConfig.FILE_SETTING, file.toString())));

    assertEquals(
        withoutFile.withoutPath("switchboard.api.port").withoutPath(NodeConfig.FILE_SETTING),
        config.withoutPath("switchboard.api.port").withoutPath(NodeConfig.FILE_SETTING),
        "every other setting as Typesafe Config's own loading makes it, Pekko's copies inside its"
            + " reference.conf included");
    assertEquals(
        withoutFile.getValue("pekko.cluster.sharding.coordinator-singleton"),
        config.getValue("pekko.cluster.sharding.coordinator-singleton"));
  }

  @Test
  void systemPropertiesWinOverTheFile() throws Exception {
    Path file = dir.resolve("switchboard.conf");
    Files.writeString(file, "switchboard.api.port = 18081\n");

    Config config =
        NodeConfig.load(
            properties(
                Map.of(NodeConfig.FILE_SETTING, file.toString(), "switchboard.api.port", "18082")));

    assertEquals(18082, config.getInt("switchboard.api.port"));
  }

  @Test
  void configFileIsLayeredLikeTheNodesOwnSettingRatherThanReplacingApplicationConf()
      throws Exception {
    Path file = dir.resolve("other.conf");
    Files.writeString(file, "switchboard.api.port = 18083\n");

    Config config = NodeConfig.load(properties(Map.of("config.file", file.toString())));

    assertEquals(18083, config.getInt("switchboard.api.port"));
    assertEquals("cluster", config.getString("pekko.actor.provider"));
  }

  @Test
  void withoutAFileTheConfigurationIsWhatTypesafeConfigLoads() {
    Config config = NodeConfig.load(ConfigFactory.empty());

    assertEquals("", config.getString(NodeConfig.FILE_SETTING));
    assertEquals(
        ConfigFactory.parseResourcesAnySyntax("application")
            .withFallback(ConfigFactory.defaultReference())
            .resolve(),
        config);
  }

  @Test
  void aMissingFileIsAnError() {
    Path missing = dir.resolve("missing.conf");

    ConfigException error =
        assertThrows(
            ConfigException.class,
            () -> NodeConfig.load(properties(Map.of(NodeConfig.FILE_SETTING, missing.toString()))));
    assertEquals(true, error.getMessage().contains("missing.conf"), error.getMessage());
  }

  private static Config properties(Map<String, String> settings) {
    return ConfigFactory.parseMap(settings);
  }
}
