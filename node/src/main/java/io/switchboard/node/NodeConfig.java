package io.switchboard.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigValue;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/**
 * A node's configuration: the modules' reference.conf, the node's application.conf, and an
 * operator's file when one is named ({@code SWITCHBOARD_CONFIG_FILE}, {@code
 * -Dswitchboard.config-file}, or {@code -Dconfig.file}). The file goes above the built-in files but
 * below the environment variables and system properties, so that a variable set for one run still
 * wins over the file, as it wins over the defaults.
 */
public final class NodeConfig {

  /** Names the operator's file; set through {@code SWITCHBOARD_CONFIG_FILE}. */
  public static final String FILE_SETTING = "switchboard.config-file";

  private NodeConfig() {}

  /** The configuration of a node started from this JVM's system properties and environment. */
  public static Config load() {
    return load(ConfigFactory.defaultOverrides());
  }

  static Config load(Config systemProperties) {
    // As ConfigFactory.load() does: reference.conf is resolved on its own, so that Pekko's copies
    // inside it (coordinator-singleton = ${pekko.cluster.singleton}) keep Pekko's values, not ours.
    Config application = ConfigFactory.parseResourcesAnySyntax("application");
    Config resolved =
        systemProperties
            .withFallback(application)
            .withFallback(ConfigFactory.defaultReference())
            .resolve();
    Optional<Path> file = file(systemProperties, resolved);
    if (file.isEmpty()) {
      return resolved;
    }
    // -Dconfig.file would make Typesafe Config replace application.conf with the file, leaving the
    // node without its own settings; here it is layered like SWITCHBOARD_CONFIG_FILE instead.
    Config fromFile =
        ConfigFactory.parseFile(
            file.get().toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
    LoggerFactory.getLogger(NodeConfig.class)
        .info(
            "Configuration file {}: its settings replace the defaults; environment variables and -D"
                + " properties replace its settings",
            file.get().toAbsolutePath());
    return systemProperties
        .withFallback(setByEnvironment(systemProperties, application, resolved))
        .withFallback(fromFile)
        .withFallback(application)
        .withFallback(ConfigFactory.defaultReference())
        .resolve();
  }

  private static Optional<Path> file(Config systemProperties, Config resolved) {
    String named = resolved.hasPath(FILE_SETTING) ? resolved.getString(FILE_SETTING) : "";
    if (named.isBlank() && systemProperties.hasPath("config.file")) {
      named = systemProperties.getString("config.file");
    }
    return named.isBlank() ? Optional.empty() : Optional.of(Path.of(named));
  }

  /**
   * The settings whose value comes from an environment variable: those that resolve differently
   * with the environment than without it (every {@code ${?SWITCHBOARD_...}} line that applied).
   */
  private static Config setByEnvironment(
      Config systemProperties, Config application, Config resolved) {
    ConfigResolveOptions withoutEnvironment =
        ConfigResolveOptions.defaults().setUseSystemEnvironment(false).setAllowUnresolved(true);
    Config unset =
        systemProperties
            .withFallback(application)
            .withFallback(ConfigFactory.defaultReferenceUnresolved().resolve(withoutEnvironment))
            .resolve(withoutEnvironment);
    Config fromEnvironment = ConfigFactory.empty();
    for (Map.Entry<String, ConfigValue> setting : resolved.entrySet()) {
      if (!sameWithout(unset, setting.getKey(), setting.getValue())) {
        fromEnvironment = fromEnvironment.withValue(setting.getKey(), setting.getValue());
      }
    }
    return fromEnvironment;
  }

  private static boolean sameWithout(Config withoutEnvironment, String path, ConfigValue value) {
    try {
      return withoutEnvironment.hasPath(path)
          && withoutEnvironment.getValue(path).unwrapped().equals(value.unwrapped());
    } catch (ConfigException.NotResolved unresolvedWithoutTheEnvironment) {
      return false;
    }
  }
}
