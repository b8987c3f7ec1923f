package io.switchboard.persistence.envelopes;

import java.time.Instant;
import java.util.UUID;

/** An open envelope handed again to its agent's entity, which may have lost it with a node. */
public record Redelivery(UUID id, String instanceUid, byte[] message, Instant deadline) {}
