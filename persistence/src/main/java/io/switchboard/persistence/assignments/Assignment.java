package io.switchboard.persistence.assignments;

import java.time.Instant;
import java.util.UUID;

/**
 * An assignment as stored. {@code selectorJson} is the stored selector form ({@code
 * Selector#stored}); {@code previousVersion} is the version before the last version change, and
 * {@code rolloutState} the state of the rollout that made it (null: none). {@code packagesJson} is
 * the package set it offers ({@code [{name, version}]}, null: none), with the set before its last
 * change and the rollout of that change in the same way.
 */
public record Assignment(
    String name,
    String configuration,
    Integer version,
    Integer previousVersion,
    String selectorJson,
    int priority,
    String description,
    UUID rolloutId,
    String rolloutState,
    Instant createdAt,
    Instant updatedAt,
    String createdBy,
    String packagesJson,
    String previousPackagesJson,
    UUID packagesRolloutId,
    String packagesRolloutState) {

  /**
   * Whether a version change is still on its way: its rollout has not completed, so the previous
   * version is the one agents that join get.
   */
  public boolean inFlight() {
    return previousVersion != null && rolloutId != null && !"COMPLETED".equals(rolloutState);
  }

  /** Whether a change of its package set is still on its way (joining agents get the previous). */
  public boolean packagesInFlight() {
    return packagesRolloutId != null && !"COMPLETED".equals(packagesRolloutState);
  }

  /** The version an agent that joins now gets. */
  public Integer safeVersion() {
    return inFlight() ? previousVersion : version;
  }
}
