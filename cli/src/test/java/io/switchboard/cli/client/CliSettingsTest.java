package io.switchboard.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.switchboard.cli.output.Format;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliSettingsTest {

  @TempDir Path home;

  @Test
  void withNothingSetTheLocalNodeAndTablesAreTheDefault() {
    CliSettings settings = CliSettings.resolve(null, null, null, Map.of("HOME", home.toString()));
    assertEquals("http://localhost:8080", settings.server());
    assertNull(settings.token());
    assertEquals(Format.TABLE, settings.format());
  }

  @Test
  void theFlagBeatsTheEnvironmentWhichBeatsTheConfigFile() throws Exception {
    Path file = home.resolve(".config/switchboard/config");
    Files.createDirectories(file.getParent());
    Files.writeString(file, "server = https://file:8080/\ntoken = from-file\noutput = json\n");
    Map<String, String> env = new HashMap<>(Map.of("HOME", home.toString()));

    CliSettings fromFile = CliSettings.resolve(null, null, null, env);
    assertEquals("https://file:8080", fromFile.server(), "a trailing slash is dropped");
    assertEquals("from-file", fromFile.token());
    assertEquals(Format.JSON, fromFile.format());

    env.put("SWITCHBOARD_SERVER", "https://env:8080");
    env.put("SWITCHBOARD_TOKEN", "from-env");
    env.put("SWITCHBOARD_OUTPUT", "table");
    CliSettings fromEnv = CliSettings.resolve(null, null, null, env);
    assertEquals("https://env:8080", fromEnv.server());
    assertEquals("from-env", fromEnv.token());
    assertEquals(Format.TABLE, fromEnv.format());

    CliSettings fromFlags = CliSettings.resolve("https://flag", "from-flag", Format.JSON, env);
    assertEquals("https://flag", fromFlags.server());
    assertEquals("from-flag", fromFlags.token());
    assertEquals(Format.JSON, fromFlags.format());
  }

  @Test
  void switchboardConfigAndXdgConfigHomeNameTheFile() throws Exception {
    Path elsewhere = home.resolve("elsewhere.conf");
    Files.writeString(elsewhere, "server: https://elsewhere\n");
    assertEquals(
        "https://elsewhere",
        CliSettings.resolve(
                null,
                null,
                null,
                Map.of("HOME", home.toString(), "SWITCHBOARD_CONFIG", elsewhere.toString()))
            .server());

    Path xdg = home.resolve("xdg/switchboard/config");
    Files.createDirectories(xdg.getParent());
    Files.writeString(xdg, "server = https://xdg\n");
    assertEquals(
        "https://xdg",
        CliSettings.resolve(
                null,
                null,
                null,
                Map.of("HOME", home.toString(), "XDG_CONFIG_HOME", home.resolve("xdg").toString()))
            .server());
  }

  @Test
  void anOutputThatIsNeitherTableNorJsonIsAUsageError() {
    CliException refused =
        assertThrows(
            CliException.class,
            () ->
                CliSettings.resolve(
                    null,
                    null,
                    null,
                    Map.of("HOME", home.toString(), "SWITCHBOARD_OUTPUT", "yaml")));
    assertEquals(ExitCode.USAGE, refused.exitCode());
  }
}
