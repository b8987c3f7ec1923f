package io.switchboard.persistence.dispatch;

import java.time.Instant;
import java.util.UUID;

/**
 * An agent's latest remote config that was not refused: open (PENDING, SENT) or APPLIED.
 * {@code message} is the ServerToAgent that carries it.
 */
public record StoredRemoteConfig(UUID envelope, byte[] message, EnvelopeState state, Instant deadline) {}
