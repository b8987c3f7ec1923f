package io.switchboard.persistence.dispatch;

/** What an envelope carries to the agent. */
public enum EnvelopeKind {
  REMOTE_CONFIG,
  RESTART,
  CUSTOM_MESSAGE,
  CONNECTION_SETTINGS
}
