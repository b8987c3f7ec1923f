package io.switchboard.persistence.envelopes;

/** What an envelope carries to the agent. */
public enum EnvelopeKind {
  REMOTE_CONFIG,
  RESTART,
  CUSTOM_MESSAGE,
  CONNECTION_SETTINGS,
  PACKAGES
}
