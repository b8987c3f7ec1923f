package io.switchboard.dispatch;

import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.persistence.envelopes.EnvelopeKind;
import java.time.Duration;

/**
 * What an operator asks of one agent (a remote config, a restart, a custom message, connection
 * settings), before it is written as an envelope: {@code message} is the ServerToAgent part that
 * carries it, {@code payloadJson} what the operator asked as they wrote it, {@code idempotencyKey}
 * may be null.
 */
public record OperatorCommand(
    String instanceUid,
    EnvelopeKind kind,
    String payloadJson,
    ServerToAgent message,
    String idempotencyKey,
    Duration deadlineIn,
    String actor) {}
