package io.switchboard.persistence.envelopes;

/**
 * Where an envelope stands. PENDING: written, not yet handed to a session. SENT: handed to the
 * agent's session (or taken by its poll). APPLIED and FAILED: the agent said so (remote config), or
 * the entity refused it. EXPIRED: its deadline passed first.
 */
public enum EnvelopeState {
  PENDING,
  SENT,
  APPLIED,
  FAILED,
  EXPIRED;

  public boolean isOpen() {
    return this == PENDING || this == SENT;
  }
}
