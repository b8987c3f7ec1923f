package io.switchboard.persistence.agents;

import io.switchboard.persistence.status.ConnectionState;
import java.time.Instant;

/**
 * One row of {@code agents}; the JSON parts are raw JSON text, or null when never reported. {@code
 * desiredConfigHash} (hex) is the hash of the remote config operators last sent it and that did not
 * fail, or null when none. {@code principal} is what the credential the agent's identity is bound
 * to proves, or null when it is unbound. {@code availableComponentsJson} is what the agent reported
 * of its components, or null when never; {@code packageStatusesJson} the agent's last
 * PackageStatuses, or null. {@code assignment} names the assignment whose envelope is its desired
 * config (null: none, or the assignment was deleted), {@code configOverride} says an operator's
 * remote config beats every assignment for it. {@code connectionSettingsStatusJson} is the
 * connection settings status the agent last reported, or null.
 */
public record AgentRecord(
    String instanceUid,
    ConnectionState connectionState,
    Instant lastSeen,
    long sequenceNum,
    String ownerNode,
    long sessionEpoch,
    String capabilitiesJson,
    String descriptionJson,
    String healthJson,
    String effectiveConfigJson,
    String remoteConfigStatusJson,
    String customCapabilitiesJson,
    String customMessagesJson,
    String labelsJson,
    Instant firstSeen,
    Instant updatedAt,
    String desiredConfigHash,
    String principal,
    String availableComponentsJson,
    String packageStatusesJson,
    String assignment,
    boolean configOverride,
    String connectionSettingsStatusJson) {}
