package io.switchboard.persistence.configurations;

import java.time.Instant;

/**
 * One version of a configuration; {@code configMapJson} is the spec's config map as JSON, {@code
 * sourceCommit} the commit of the file it was declared in (null when made by hand).
 */
public record ConfigurationVersion(
    String name,
    int version,
    VersionState state,
    String configMapJson,
    byte[] configHash,
    Instant createdAt,
    String createdBy,
    Instant publishedAt,
    String sourceCommit) {}
