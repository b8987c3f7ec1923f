package io.switchboard.persistence.envelopes;

import java.time.Instant;
import java.util.UUID;

/**
 * One operator command for one agent, as stored: what was asked ({@code payloadJson}, as the
 * operator wrote it), its state, and when and by which node it was sent. Nullable: {@code detail},
 * {@code sentAt}, {@code sentByNode}, {@code closedAt}.
 */
public record Envelope(
    UUID id,
    String instanceUid,
    EnvelopeKind kind,
    String payloadJson,
    EnvelopeState state,
    String detail,
    Instant deadline,
    Instant createdAt,
    String createdBy,
    Instant sentAt,
    String sentByNode,
    Instant closedAt) {}
