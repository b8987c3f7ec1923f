package io.switchboard.api.packages;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.switchboard.persistence.packages.Package;
import java.net.URI;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** {@code POST /api/packages}: a package's metadata, checked before anything is stored. */
record PackageRequest(
    @JsonProperty("name") String name,
    @JsonProperty("version") String version,
    @JsonProperty("type") String type,
    @JsonProperty("download_url") String downloadUrl,
    @JsonProperty("hash") String hash,
    @JsonProperty("signature") String signature) {

  /** Names and versions appear in download URLs: one path segment, no escaping surprises. */
  static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,127}");

  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");
  private static final int MAX_URL = 2048;
  private static final int MAX_SIGNATURE_BYTES = 16 * 1024;

  /** What is wrong with it, or null when it is fine. */
  String problem() {
    if (name == null || !SEGMENT.matcher(name).matches()) {
      return "name is required: 1 to 128 letters, digits, '.', '_', '+' or '-'";
    }
    if (version == null || !SEGMENT.matcher(version).matches()) {
      return "version is required: 1 to 128 letters, digits, '.', '_', '+' or '-'";
    }
    if (!"top_level".equals(type) && !"addon".equals(type)) {
      return "type must be top_level or addon";
    }
    if (hash == null || !SHA256_HEX.matcher(hash).matches()) {
      return "hash is required: the SHA-256 of the content, 64 hex digits";
    }
    if (downloadUrl != null) {
      if (downloadUrl.length() > MAX_URL) {
        return "download_url is longer than " + MAX_URL + " characters";
      }
      try {
        URI uri = new URI(downloadUrl);
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
            || uri.getHost() == null) {
          return "download_url must be an absolute http or https URL";
        }
      } catch (Exception e) {
        return "download_url must be an absolute http or https URL";
      }
    }
    if (signature != null) {
      try {
        if (Base64.getDecoder().decode(signature).length > MAX_SIGNATURE_BYTES) {
          return "signature is larger than " + MAX_SIGNATURE_BYTES + " bytes";
        }
      } catch (IllegalArgumentException e) {
        return "signature must be base64";
      }
    }
    return null;
  }

  Package toPackage(String actor) {
    return new Package(
        name,
        version,
        type,
        downloadUrl,
        HexFormat.of().parseHex(hash.toLowerCase()),
        signature == null ? null : Base64.getDecoder().decode(signature),
        null,
        null,
        actor);
  }
}
