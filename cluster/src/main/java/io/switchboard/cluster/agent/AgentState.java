package io.switchboard.cluster.agent;

import com.google.protobuf.ByteString;
import io.switchboard.opamp.proto.AgentDescription;
import io.switchboard.opamp.proto.AgentToServer;
import io.switchboard.opamp.proto.ComponentHealth;
import io.switchboard.opamp.proto.CustomCapabilities;
import io.switchboard.opamp.proto.CustomMessage;
import io.switchboard.opamp.proto.EffectiveConfig;
import io.switchboard.opamp.proto.RemoteConfigStatus;
import io.switchboard.opamp.json.AgentJson;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * The agent's reported state, merged across messages under OpAMP status compression (an omitted
 * sub-message means "unchanged"). Each part that changed is kept as JSON until the entity takes it
 * for the status writer, so an unchanged description is not rewritten on every heartbeat.
 */
final class AgentState {

  private static final long UNKNOWN = -1;

  /** The JSON of each part that changed since the last {@link #takeChanges()}; null where unchanged. */
  record Changes(
      String capabilities,
      String description,
      String health,
      String effectiveConfig,
      String remoteConfigStatus,
      String customCapabilities,
      String customMessages) {

    boolean any() {
      return capabilities != null
          || description != null
          || health != null
          || effectiveConfig != null
          || remoteConfigStatus != null
          || customCapabilities != null
          || customMessages != null;
    }
  }

  private long sequenceNum = UNKNOWN;
  private Instant lastSeen = Instant.EPOCH;
  private long version;

  private long capabilities;
  private AgentDescription description;
  private ComponentHealth health;
  private EffectiveConfig effectiveConfig;
  private RemoteConfigStatus remoteConfigStatus;
  private CustomCapabilities customCapabilities = CustomCapabilities.getDefaultInstance();
  private final Map<String, CustomMessage> customMessages = new TreeMap<>();
  private final Map<String, Instant> customMessagesReceivedAt = new TreeMap<>();

  private String changedCapabilities;
  private String changedDescription;
  private String changedHealth;
  private String changedEffectiveConfig;
  private String changedRemoteConfigStatus;
  private String changedCustomCapabilities;
  private String changedCustomMessages;

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
    if (message.hasCustomCapabilities() && !message.getCustomCapabilities().equals(customCapabilities)) {
      customCapabilities = message.getCustomCapabilities();
      changedCustomCapabilities = AgentJson.customCapabilities(customCapabilities);
    }
    if (message.hasCustomMessage()) {
      CustomMessage custom = message.getCustomMessage();
      customMessages.put(custom.getCapability(), custom);
      customMessagesReceivedAt.put(custom.getCapability(), now);
      changedCustomMessages = AgentJson.customMessages(customMessages, customMessagesReceivedAt);
    }
    return gap;
  }

  Changes takeChanges() {
    Changes changes =
        new Changes(
            changedCapabilities,
            changedDescription,
            changedHealth,
            changedEffectiveConfig,
            changedRemoteConfigStatus,
            changedCustomCapabilities,
            changedCustomMessages);
    changedCapabilities = null;
    changedDescription = null;
    changedHealth = null;
    changedEffectiveConfig = null;
    changedRemoteConfigStatus = null;
    changedCustomCapabilities = null;
    changedCustomMessages = null;
    return changes;
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

  /** The agent's capability bits; 0 while it has not reported any to this entity. */
  long capabilities() {
    return capabilities;
  }

  boolean hasCapability(long bit) {
    return (capabilities & bit) != 0;
  }

  boolean hasCustomCapability(String capability) {
    return customCapabilities.getCapabilitiesList().contains(capability);
  }

  /** The remote config status the agent last reported, or null when none. */
  RemoteConfigStatus reportedRemoteConfigStatus() {
    return remoteConfigStatus;
  }

  /** The hash of the remote config the agent last reported, empty when none. */
  ByteString reportedRemoteConfigHash() {
    return remoteConfigStatus == null ? ByteString.EMPTY : remoteConfigStatus.getLastRemoteConfigHash();
  }

  long sequenceNum() {
    return Math.max(sequenceNum, 0);
  }

  Instant lastSeen() {
    return lastSeen;
  }
}
