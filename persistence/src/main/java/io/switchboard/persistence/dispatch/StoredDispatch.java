package io.switchboard.persistence.dispatch;

import java.time.Instant;
import java.util.UUID;

/**
 * An agent's latest dispatch of a kind that sets what it should run (remote config, connection
 * settings) and was not refused: open (PENDING, SENT) or APPLIED. {@code message} is the
 * ServerToAgent that carries it.
 */
public record StoredDispatch(UUID envelope, byte[] message, EnvelopeState state, Instant deadline) {}
