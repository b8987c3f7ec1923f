package io.switchboard.persistence.configurations;

import java.time.Instant;
import java.util.List;

/** A named configuration and its versions (without their contents), oldest first. */
public record Configuration(
    String name, String description, Instant createdAt, String createdBy, List<Summary> versions) {

  public record Summary(int version, VersionState state, Instant createdAt, Instant publishedAt) {}
}
