package io.switchboard.persistence.envelopes;

import java.time.Instant;
import java.util.UUID;

/**
 * An agent's latest envelope of a kind that sets what it should run (remote config, connection
 * settings) and was not refused: open (PENDING, SENT) or APPLIED. {@code message} is the
 * ServerToAgent that carries it.
 */
public record LatestEnvelope(
    UUID envelope, byte[] message, EnvelopeState state, Instant deadline) {}
