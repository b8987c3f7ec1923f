package io.switchboard.persistence.rollouts;

import java.time.Instant;
import java.util.UUID;

/**
 * A rollout as stored; selector, strategy and gates are JSON as the operator gave them (with
 * defaults filled in). {@code previousVersion} and {@code acknowledgedBatch} may be null; {@code
 * assignment} names the assignment whose version change this is (null for a plain rollout).
 */
public record Rollout(
    UUID id,
    String configuration,
    int version,
    Integer previousVersion,
    String selectorJson,
    String strategyJson,
    String gatesJson,
    RolloutState state,
    String detail,
    int currentBatch,
    Integer acknowledgedBatch,
    int batchCount,
    Instant createdAt,
    String createdBy,
    Instant updatedAt,
    String assignment) {}
