package io.switchboard.persistence.envelopes;

import java.util.UUID;

/** How an envelope ended (APPLIED, FAILED or EXPIRED) and why; {@code detail} may be null. */
public record EnvelopeOutcome(UUID envelope, EnvelopeState state, String detail) {

  public EnvelopeOutcome {
    if (state.isOpen()) {
      throw new IllegalArgumentException(state + " does not close an envelope");
    }
  }
}
