package io.switchboard.api.packages;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.switchboard.persistence.packages.Package;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A package as the API shows it: {@code hash} is the content's SHA-256 in hex, {@code signature}
 * base64; {@code size} once content is uploaded; {@code downloadable} when agents can fetch it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record PackageView(
    @JsonProperty("name") String name,
    @JsonProperty("version") String version,
    @JsonProperty("type") String type,
    @JsonProperty("download_url") String downloadUrl,
    @JsonProperty("hash") String hash,
    @JsonProperty("signature") String signature,
    @JsonProperty("size") Long size,
    @JsonProperty("downloadable") boolean downloadable,
    @JsonProperty("created_at") String createdAt,
    @JsonProperty("created_by") String createdBy) {

  static PackageView of(Package pkg) {
    return new PackageView(
        pkg.name(),
        pkg.version(),
        pkg.type(),
        pkg.downloadUrl(),
        HexFormat.of().formatHex(pkg.contentHash()),
        pkg.signature() == null ? null : Base64.getEncoder().encodeToString(pkg.signature()),
        pkg.size(),
        pkg.downloadable(),
        pkg.createdAt() == null ? null : pkg.createdAt().toString(),
        pkg.createdBy());
  }
}
