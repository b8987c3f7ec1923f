package io.switchboard.cluster.agent;

import io.switchboard.opamp.proto.AgentDescription;
import io.switchboard.opamp.proto.AgentToServer;
import io.switchboard.opamp.proto.ComponentHealth;
import io.switchboard.opamp.proto.EffectiveConfig;
import io.switchboard.opamp.proto.RemoteConfigStatus;
import java.time.Instant;

/**
 * The agent's reported state, merged across messages under OpAMP status compression (an omitted
 * sub-message means "unchanged"). Each part that changed is kept as JSON until the entity takes it
 * for the status writer, so an unchanged description is not rewritten on every heartbeat.
 */
final class AgentState {

  private static final long UNKNOWN = -1;

  private long sequenceNum = UNKNOWN;
  private Instant lastSeen = Instant.EPOCH;
  private long version;

  private long capabilities;
  private AgentDescription description;
  private ComponentHealth health;
  private EffectiveConfig effectiveConfig;
  private RemoteConfigStatus remoteConfigStatus;

  private String changedCapabilities;
  private String changedDescription;
  private String changedHealth;
  private String changedEffectiveConfig;
  private String changedRemoteConfigStatus;

  /**
   * Merges one message and tells whether the server must ask for full state: the sequence number
   * is not the previous one plus 1, or this entity has no earlier state and the message does not
   * describe the agent.
   */
  boolean apply(AgentToServer message, Instant now) {
    boolean gap =
        sequenceNum == UNKNOWN ? !message.hasAgentDescription() : message.getSequenceNum() != sequenceNum + 1;
    sequenceNum = message.getSequenceNum();
    lastSeen = now;

    if (message.getCapabilities() != 0 && message.getCapabilities() != capabilities) {
      capabilities = message.getCapabilities();
      changedCapabilities = AgentJson.capabilities(capabilities);
    }
    if (message.hasAgentDescription() && !message.getAgentDescription().equals(description)) {
      description = message.getAgentDescription();
      changedDescription = AgentJson.description(description);
    }
    if (message.hasHealth() && !message.getHealth().equals(health)) {
      health = message.getHealth();
      changedHealth = AgentJson.health(health);
    }
    if (message.hasEffectiveConfig() && !message.getEffectiveConfig().equals(effectiveConfig)) {
      effectiveConfig = message.getEffectiveConfig();
      changedEffectiveConfig = AgentJson.effectiveConfig(effectiveConfig);
    }
    if (message.hasRemoteConfigStatus() && !message.getRemoteConfigStatus().equals(remoteConfigStatus)) {
      remoteConfigStatus = message.getRemoteConfigStatus();
      changedRemoteConfigStatus = AgentJson.remoteConfigStatus(remoteConfigStatus);
    }
    return gap;
  }

  /**
   * The next state version: strictly increasing, and at least the wall-clock time in microseconds so
   * that a later incarnation of this entity (after a restart or a shard move) still writes newer
   * versions than the one before it.
   */
  long nextVersion(Instant now) {
    version = Math.max(version + 1, AgentEntity.micros(now));
    return version;
  }

  long capabilities() {
    return capabilities;
  }

  long sequenceNum() {
    return Math.max(sequenceNum, 0);
  }

  Instant lastSeen() {
    return lastSeen;
  }

  String takeChangedCapabilities() {
    String json = changedCapabilities;
    changedCapabilities = null;
    return json;
  }

  String takeChangedDescription() {
    String json = changedDescription;
    changedDescription = null;
    return json;
  }

  String takeChangedHealth() {
    String json = changedHealth;
    changedHealth = null;
    return json;
  }

  String takeChangedEffectiveConfig() {
    String json = changedEffectiveConfig;
    changedEffectiveConfig = null;
    return json;
  }

  String takeChangedRemoteConfigStatus() {
    String json = changedRemoteConfigStatus;
    changedRemoteConfigStatus = null;
    return json;
  }
}
