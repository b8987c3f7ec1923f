package io.switchboard.persistence.rollouts;

import java.time.Instant;
import java.util.UUID;

/**
 * A rollout as stored; selector, strategy and gates are JSON as the operator gave them (with
 * defaults filled in). {@code previousVersion} and {@code acknowledgedBatch} may be null. It moves
 * agents either to a configuration version ({@code configuration} and {@code version} set) or to a
 * package set ({@code packagesJson}, {@code [{name, version}]}, set; the other two null). {@code
 * assignment} names the assignment whose version change this is (null for a plain rollout).
 */
public record Rollout(
    UUID id,
    String configuration,
    Integer version,
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
    String packagesJson,
    String assignment) {

  /** Whether it moves agents to a package set rather than a configuration version. */
  public boolean movesPackages() {
    return packagesJson != null;
  }
}
