package io.switchboard.persistence.assignments;

import java.time.Instant;
import java.util.UUID;

/** An envelope an assignment wrote for an agent, to hand to the agent's entity. */
public record AppliedEnvelope(UUID id, String instanceUid, byte[] message, Instant deadline) {}
