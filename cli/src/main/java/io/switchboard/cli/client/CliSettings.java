package io.switchboard.cli.client;

import io.switchboard.cli.output.Format;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Where the server is, the token to show it and how to print: each from its flag, else the
 * environment ({@code SWITCHBOARD_SERVER}, {@code SWITCHBOARD_TOKEN}, {@code SWITCHBOARD_OUTPUT}),
 * else the config file ({@code server}, {@code token}, {@code output} as {@code key = value}
 * lines), else the default. The config file is {@code SWITCHBOARD_CONFIG}, or {@code
 * $XDG_CONFIG_HOME/switchboard/config}, or {@code ~/.config/switchboard/config}.
 */
public record CliSettings(String server, String token, Format format) {

  public static final String DEFAULT_SERVER = "http://localhost:8080";

  public static CliSettings resolve(
      String serverFlag, String tokenFlag, Format formatFlag, Map<String, String> env) {
    Properties file = read(configFile(env));
    String server = first(serverFlag, env.get("SWITCHBOARD_SERVER"), file.getProperty("server"));
    String token = first(tokenFlag, env.get("SWITCHBOARD_TOKEN"), file.getProperty("token"));
    String output = first(null, env.get("SWITCHBOARD_OUTPUT"), file.getProperty("output"));
    Format format = formatFlag != null ? formatFlag : output == null ? Format.TABLE : parse(output);
    return new CliSettings(server == null ? DEFAULT_SERVER : stripSlash(server), token, format);
  }

  static Path configFile(Map<String, String> env) {
    if (present(env.get("SWITCHBOARD_CONFIG"))) {
      return Path.of(env.get("SWITCHBOARD_CONFIG"));
    }
    if (present(env.get("XDG_CONFIG_HOME"))) {
      return Path.of(env.get("XDG_CONFIG_HOME"), "switchboard", "config");
    }
    String home = env.getOrDefault("HOME", System.getProperty("user.home"));
    return Path.of(home, ".config", "switchboard", "config");
  }

  private static Properties read(Path file) {
    Properties properties = new Properties();
    if (!Files.isRegularFile(file)) {
      return properties;
    }
    try (Reader reader = Files.newBufferedReader(file)) {
      properties.load(reader);
      return properties;
    } catch (IOException | IllegalArgumentException e) {
      throw new CliException(ExitCode.USAGE, "cannot read the config file " + file + ": " + e);
    }
  }

  private static Format parse(String output) {
    try {
      return Format.valueOf(output.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCode.USAGE, "output must be table or json, not " + output);
    }
  }

  private static String first(String... values) {
    for (String value : values) {
      if (present(value)) {
        return value.trim();
      }
    }
    return null;
  }

  private static boolean present(String value) {
    return value != null && !value.isBlank();
  }

  private static String stripSlash(String server) {
    return server.endsWith("/") ? server.substring(0, server.length() - 1) : server;
  }
}
