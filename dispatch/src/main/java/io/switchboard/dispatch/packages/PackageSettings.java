package io.switchboard.dispatch.packages;

import com.typesafe.config.Config;

/**
 * {@code switchboard.packages}: the largest package content an operator may upload, and the base
 * URL agents download uploaded content from (every node serves it under {@code /v1/packages} on its
 * OpAMP port; empty means this node's own OpAMP address).
 */
public record PackageSettings(long maxBytes, String downloadBaseUrl) {

  public static PackageSettings fromConfig(Config switchboard) {
    Config packages = switchboard.getConfig("packages");
    String base = packages.getString("download-base-url").strip();
    return new PackageSettings(
        packages.getBytes("max-size"),
        base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
  }

  /** The same settings with {@code base} as the download base URL when none is configured. */
  public PackageSettings orDownloadBase(String base) {
    return downloadBaseUrl.isEmpty() ? new PackageSettings(maxBytes, base) : this;
  }
}
