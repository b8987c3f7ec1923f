package io.switchboard.persistence.status;

import java.time.Instant;

/**
 * One agent's latest state, as its entity hands it to the status writer. The JSON parts are null
 * when unchanged since the entity's previous status, so that a heartbeat does not rewrite a large
 * description or effective config.
 *
 * @param stateVersion strictly increasing per agent; a row is only replaced by a higher version
 * @param principal what the agent's credential proves ({@code token:<fleet>}, {@code
 *     cert:<subject>}), or null for an agent that sent none; stored once, never replaced
 * @param notable the connection state or a reported part changed, so the status history gets a row
 *     (last-seen and sequence number alone do not count)
 * @param producedAt when the entity produced this status
 * @param pendingSince when the oldest change merged into this status was produced (the start of its
 *     write lag)
 * @param connectionSettingsStatusJson the connection settings status the agent reported, when it
 *     changed; else null
 */
public record AgentStatus(
    String instanceUid,
    long stateVersion,
    ConnectionState connectionState,
    Instant lastSeen,
    long sequenceNum,
    String ownerNode,
    long sessionEpoch,
    String principal,
    String capabilitiesJson,
    String descriptionJson,
    String healthJson,
    String effectiveConfigJson,
    String remoteConfigStatusJson,
    String customCapabilitiesJson,
    String customMessagesJson,
    String availableComponentsJson,
    String packageStatusesJson,
    boolean notable,
    Instant producedAt,
    Instant pendingSince,
    String connectionSettingsStatusJson) {

  /** A status without package or connection settings statuses (both stay as stored). */
  public AgentStatus(
      String instanceUid,
      long stateVersion,
      ConnectionState connectionState,
      Instant lastSeen,
      long sequenceNum,
      String ownerNode,
      long sessionEpoch,
      String principal,
      String capabilitiesJson,
      String descriptionJson,
      String healthJson,
      String effectiveConfigJson,
      String remoteConfigStatusJson,
      String customCapabilitiesJson,
      String customMessagesJson,
      String availableComponentsJson,
      boolean notable,
      Instant producedAt,
      Instant pendingSince) {
    this(
        instanceUid,
        stateVersion,
        connectionState,
        lastSeen,
        sequenceNum,
        ownerNode,
        sessionEpoch,
        principal,
        capabilitiesJson,
        descriptionJson,
        healthJson,
        effectiveConfigJson,
        remoteConfigStatusJson,
        customCapabilitiesJson,
        customMessagesJson,
        availableComponentsJson,
        null,
        notable,
        producedAt,
        pendingSince,
        null);
  }

  /** A status that leaves the connection settings status as stored. */
  public AgentStatus(
      String instanceUid,
      long stateVersion,
      ConnectionState connectionState,
      Instant lastSeen,
      long sequenceNum,
      String ownerNode,
      long sessionEpoch,
      String principal,
      String capabilitiesJson,
      String descriptionJson,
      String healthJson,
      String effectiveConfigJson,
      String remoteConfigStatusJson,
      String customCapabilitiesJson,
      String customMessagesJson,
      String availableComponentsJson,
      String packageStatusesJson,
      boolean notable,
      Instant producedAt,
      Instant pendingSince) {
    this(
        instanceUid,
        stateVersion,
        connectionState,
        lastSeen,
        sequenceNum,
        ownerNode,
        sessionEpoch,
        principal,
        capabilitiesJson,
        descriptionJson,
        healthJson,
        effectiveConfigJson,
        remoteConfigStatusJson,
        customCapabilitiesJson,
        customMessagesJson,
        availableComponentsJson,
        packageStatusesJson,
        notable,
        producedAt,
        pendingSince,
        null);
  }

  /** A status that leaves the package statuses as stored. */
  public AgentStatus(
      String instanceUid,
      long stateVersion,
      ConnectionState connectionState,
      Instant lastSeen,
      long sequenceNum,
      String ownerNode,
      long sessionEpoch,
      String principal,
      String capabilitiesJson,
      String descriptionJson,
      String healthJson,
      String effectiveConfigJson,
      String remoteConfigStatusJson,
      String customCapabilitiesJson,
      String customMessagesJson,
      String availableComponentsJson,
      boolean notable,
      Instant producedAt,
      Instant pendingSince,
      String connectionSettingsStatusJson) {
    this(
        instanceUid,
        stateVersion,
        connectionState,
        lastSeen,
        sequenceNum,
        ownerNode,
        sessionEpoch,
        principal,
        capabilitiesJson,
        descriptionJson,
        healthJson,
        effectiveConfigJson,
        remoteConfigStatusJson,
        customCapabilitiesJson,
        customMessagesJson,
        availableComponentsJson,
        null,
        notable,
        producedAt,
        pendingSince,
        connectionSettingsStatusJson);
  }

  /**
   * This newer status with the parts it leaves unchanged taken from {@code older}: what must still
   * be written when both wait in the same batch. It is notable if either was, and pending since the
   * older one, since the write lag runs from the first change not yet written.
   */
  public AgentStatus overlaying(AgentStatus older) {
    return new AgentStatus(
        instanceUid,
        stateVersion,
        connectionState,
        lastSeen,
        sequenceNum,
        ownerNode,
        sessionEpoch,
        principal != null ? principal : older.principal,
        capabilitiesJson != null ? capabilitiesJson : older.capabilitiesJson,
        descriptionJson != null ? descriptionJson : older.descriptionJson,
        healthJson != null ? healthJson : older.healthJson,
        effectiveConfigJson != null ? effectiveConfigJson : older.effectiveConfigJson,
        remoteConfigStatusJson != null ? remoteConfigStatusJson : older.remoteConfigStatusJson,
        customCapabilitiesJson != null ? customCapabilitiesJson : older.customCapabilitiesJson,
        customMessagesJson != null ? customMessagesJson : older.customMessagesJson,
        availableComponentsJson != null ? availableComponentsJson : older.availableComponentsJson,
        packageStatusesJson != null ? packageStatusesJson : older.packageStatusesJson,
        notable || older.notable,
        producedAt,
        older.pendingSince.isBefore(pendingSince) ? older.pendingSince : pendingSince,
        connectionSettingsStatusJson != null
            ? connectionSettingsStatusJson
            : older.connectionSettingsStatusJson);
  }

  /**
   * This status without what the agent reported (capabilities, description, health, configs, custom
   * parts, components): what is still written when the database refused those, so that the agent's
   * liveness stays current while its stored report stays the last one the database took.
   */
  public AgentStatus withoutReports() {
    return new AgentStatus(
        instanceUid,
        stateVersion,
        connectionState,
        lastSeen,
        sequenceNum,
        ownerNode,
        sessionEpoch,
        principal,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        notable,
        producedAt,
        pendingSince);
  }

  /** Roughly what this status holds in memory: its JSON parts' characters, two bytes each. */
  public long bytes() {
    return 2L
        * (length(capabilitiesJson)
            + length(descriptionJson)
            + length(healthJson)
            + length(effectiveConfigJson)
            + length(remoteConfigStatusJson)
            + length(customCapabilitiesJson)
            + length(customMessagesJson)
            + length(availableComponentsJson)
            + length(packageStatusesJson)
            + length(connectionSettingsStatusJson));
  }

  private static long length(String json) {
    return json == null ? 0 : json.length();
  }
}
