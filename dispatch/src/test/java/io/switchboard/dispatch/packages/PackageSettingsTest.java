package io.switchboard.dispatch.packages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PackageSettingsTest {

  private static Config with(String overrides) {
    return ConfigFactory.parseString(overrides)
        .withFallback(ConfigFactory.defaultReference())
        .getConfig("switchboard");
  }

  @Test
  void contentIsInTheDatabaseUnlessADirectoryIsConfigured() {
    assertNull(PackageSettings.fromConfig(with("")).directory());
    assertEquals(
        Path.of("/var/lib/switchboard/packages"),
        PackageSettings.fromConfig(
                with(
                    "switchboard.packages { storage = directory,"
                        + " directory = \"/var/lib/switchboard/packages\" }"))
            .directory());
  }

  @Test
  void aDirectoryStorageWithoutDirectoryOrAnUnknownStorageIsRefusedSayingWhy() {
    IllegalArgumentException noDirectory =
        assertThrows(
            IllegalArgumentException.class,
            () -> PackageSettings.fromConfig(with("switchboard.packages.storage = directory")));
    assertTrue(noDirectory.getMessage().contains("SWITCHBOARD_PACKAGES_DIRECTORY"));
    IllegalArgumentException unknown =
        assertThrows(
            IllegalArgumentException.class,
            () -> PackageSettings.fromConfig(with("switchboard.packages.storage = s3")));
    assertTrue(unknown.getMessage().contains("not s3"), unknown.getMessage());
  }
}
