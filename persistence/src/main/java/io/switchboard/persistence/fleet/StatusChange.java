package io.switchboard.persistence.fleet;

import java.time.Instant;

/**
 * A notable change of one agent, from the status history. Nullable: healthy, remoteConfigStatus.
 */
public record StatusChange(
    Instant recordedAt,
    String instanceUid,
    String connectionState,
    Boolean healthy,
    String remoteConfigStatus) {}
