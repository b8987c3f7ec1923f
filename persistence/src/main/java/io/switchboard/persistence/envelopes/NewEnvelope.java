package io.switchboard.persistence.envelopes;

import java.time.Instant;
import java.util.UUID;

/**
 * An envelope to write: {@code message} is the protobuf ServerToAgent fragment that carries the
 * command, {@code configHash} is set for remote config only, {@code idempotencyKey} may be null.
 */
public record NewEnvelope(
    UUID id,
    String instanceUid,
    EnvelopeKind kind,
    String payloadJson,
    byte[] message,
    byte[] configHash,
    String idempotencyKey,
    Instant deadline,
    String createdBy) {}
