package io.switchboard.cli.client;

import io.switchboard.cli.output.Format;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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

  /** The token id in the config file ({@code token_id}), if {@code switchboard login} wrote one. */
  public static String savedTokenId(Map<String, String> env) {
    return read(configFile(env)).getProperty("token_id");
  }

  /**
   * Writes {@code values} into the config file, replacing those keys' lines and keeping every other
   * line; a {@code null} value removes its key. The file is readable by its owner alone.
   */
  public static Path save(Map<String, String> env, Map<String, String> values) {
    Path file = configFile(env);
    try {
      List<String> lines =
          Files.isRegularFile(file) ? new ArrayList<>(Files.readAllLines(file)) : new ArrayList<>();
      Map<String, String> remaining = new LinkedHashMap<>(values);
      List<String> written = new ArrayList<>();
      for (String line : lines) {
        String key = key(line);
        if (key != null && values.containsKey(key)) {
          String value = remaining.remove(key);
          if (value != null) {
            written.add(key + " = " + value);
          }
        } else {
          written.add(line);
        }
      }
      remaining.forEach(
          (key, value) -> {
            if (value != null) {
              written.add(key + " = " + value);
            }
          });
      Files.createDirectories(file.toAbsolutePath().getParent());
      Path temporary = Files.createTempFile(file.toAbsolutePath().getParent(), ".config", ".tmp");
      ownerOnly(temporary);
      Files.write(temporary, written);
      Files.move(
          temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return file;
    } catch (IOException e) {
      throw new CliException(ExitCode.FAILED, "cannot write the config file " + file + ": " + e);
    }
  }

  private static String key(String line) {
    String trimmed = line.trim();
    if (trimmed.isEmpty() || trimmed.startsWith("#") || trimmed.startsWith("!")) {
      return null;
    }
    int end = 0;
    while (end < trimmed.length() && "=: \t".indexOf(trimmed.charAt(end)) < 0) {
      end++;
    }
    return trimmed.substring(0, end);
  }

  private static void ownerOnly(Path file) throws IOException {
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // Not a POSIX file system: the directory's own permissions apply.
    }
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
