package io.switchboard.api.configurations;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.switchboard.persistence.configurations.Configuration;
import java.util.List;

/** A configuration and its versions (without contents) as the API shows them. */
record ConfigurationView(
    @JsonProperty("name") String name,
    @JsonProperty("description") String description,
    @JsonProperty("created_at") String createdAt,
    @JsonProperty("created_by") String createdBy,
    @JsonProperty("versions") List<Version> versions) {

  record Version(
      @JsonProperty("version") int version,
      @JsonProperty("state") String state,
      @JsonProperty("created_at") String createdAt,
      @JsonProperty("published_at") String publishedAt) {}

  static ConfigurationView of(Configuration configuration) {
    return new ConfigurationView(
        configuration.name(),
        configuration.description(),
        configuration.createdAt().toString(),
        configuration.createdBy(),
        configuration.versions().stream()
            .map(
                version ->
                    new Version(
                        version.version(),
                        version.state().name(),
                        version.createdAt().toString(),
                        version.publishedAt() == null ? null : version.publishedAt().toString()))
            .toList());
  }
}
