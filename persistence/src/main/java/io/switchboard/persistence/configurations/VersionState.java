package io.switchboard.persistence.configurations;

/**
 * A draft may still change; a published version is what rollouts use; archived ones are kept,
 * unused.
 */
public enum VersionState {
  DRAFT,
  PUBLISHED,
  ARCHIVED
}
