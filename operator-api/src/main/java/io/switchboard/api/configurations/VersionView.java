package io.switchboard.api.configurations;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.persistence.configurations.ConfigurationVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HexFormat;

/** One version with its config map and the hash agents will report for it. */
record VersionView(
    @JsonProperty("name") String name,
    @JsonProperty("version") int version,
    @JsonProperty("state") String state,
    @JsonProperty("config_map") JsonNode configMap,
    @JsonProperty("config_hash") String configHash,
    @JsonProperty("created_at") String createdAt,
    @JsonProperty("created_by") String createdBy,
    @JsonProperty("published_at") String publishedAt,
    @JsonProperty("source_commit") String sourceCommit) {

  static VersionView of(ConfigurationVersion version, ObjectMapper json) {
    try {
      return new VersionView(
          version.name(),
          version.version(),
          version.state().name(),
          json.readTree(version.configMapJson()),
          HexFormat.of().formatHex(version.configHash()),
          version.createdAt().toString(),
          version.createdBy(),
          version.publishedAt() == null ? null : version.publishedAt().toString(),
          version.sourceCommit());
    } catch (IOException e) {
      throw new UncheckedIOException("a stored config map is JSON", e);
    }
  }
}
