package io.switchboard.dispatch.packages;

import com.typesafe.config.Config;
import java.nio.file.Path;

/**
 * {@code switchboard.packages}: the largest package content an operator may upload, the base URL
 * agents download uploaded content from (every node serves it under {@code /v1/packages} on its
 * OpAMP port; empty means this node's own OpAMP address), and where uploaded content is kept:
 * {@code directory} null for PostgreSQL, else the directory ({@code storage = directory}).
 */
public record PackageSettings(long maxBytes, String downloadBaseUrl, Path directory) {

  public static PackageSettings fromConfig(Config switchboard) {
    Config packages = switchboard.getConfig("packages");
    String base = packages.getString("download-base-url").strip();
    return new PackageSettings(
        packages.getBytes("max-size"),
        base.endsWith("/") ? base.substring(0, base.length() - 1) : base,
        directory(packages));
  }

  private static Path directory(Config packages) {
    String storage = packages.getString("storage").strip();
    String directory = packages.getString("directory").strip();
    return switch (storage) {
      case "database" -> null;
      case "directory" -> {
        if (directory.isEmpty()) {
          throw new IllegalArgumentException(
              "switchboard.packages.storage = directory needs switchboard.packages.directory"
                  + " (SWITCHBOARD_PACKAGES_DIRECTORY)");
        }
        yield Path.of(directory);
      }
      default ->
          throw new IllegalArgumentException(
              "switchboard.packages.storage is database or directory, not " + storage);
    };
  }

  /** The same settings with {@code base} as the download base URL when none is configured. */
  public PackageSettings orDownloadBase(String base) {
    return downloadBaseUrl.isEmpty() ? new PackageSettings(maxBytes, base, directory) : this;
  }
}
