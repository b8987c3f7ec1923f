package io.switchboard.cluster.agent;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import io.switchboard.opamp.json.AgentJson;
import io.switchboard.opamp.json.PackageStatusJson;
import io.switchboard.opamp.proto.AgentToServer;
import io.switchboard.opamp.proto.AvailableComponents;
import io.switchboard.opamp.proto.ConnectionSettingsStatus;
import io.switchboard.opamp.proto.CustomCapabilities;
import io.switchboard.opamp.proto.CustomMessage;
import io.switchboard.opamp.proto.PackageStatuses;
import io.switchboard.opamp.proto.RemoteConfigStatus;
import io.switchboard.persistence.status.AgentStatus;
import io.switchboard.persistence.status.ConnectionState;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.TreeMap;

/**
 * The agent's reported state, merged across messages under OpAMP status compression (an omitted
 * sub-message means "unchanged"). Each part that changed is kept as JSON until the entity takes it
 * for the status writer, so an unchanged description is not rewritten on every heartbeat.
 */
final class AgentState {

  private static final long UNKNOWN = -1;

  /**
   * The JSON of each part that changed since the last {@link #takeChanges()}; null where unchanged.
   */
  record Changes(
      String capabilities,
      String description,
      String health,
      String effectiveConfig,
      String remoteConfigStatus,
      String customCapabilities,
      String customMessages,
      String availableComponents,
      String packageStatuses,
      String connectionSettingsStatus) {

    boolean any() {
      return capabilities != null
          || description != null
          || health != null
          || effectiveConfig != null
          || remoteConfigStatus != null
          || customCapabilities != null
          || customMessages != null
          || availableComponents != null
          || packageStatuses != null
          || connectionSettingsStatus != null;
    }
  }

  private long sequenceNum = UNKNOWN;
  private Instant lastSeen = Instant.EPOCH;
  private long version;

  private long capabilities;
  // What the agent reported last of its description, health and effective config, as digests: a
  // message repeating one is told from a change without keeping the whole (often tens of KiB).
  private long descriptionDigest;
  private long healthDigest;
  private long effectiveConfigDigest;
  private RemoteConfigStatus remoteConfigStatus;
  private CustomCapabilities customCapabilities = CustomCapabilities.getDefaultInstance();
  private final Map<String, CustomMessage> customMessages = new TreeMap<>();
  private final Map<String, Instant> customMessagesReceivedAt = new TreeMap<>();
  private PackageStatuses packageStatuses;

  private String changedCapabilities;
  private String changedDescription;
  private String changedHealth;
  private String changedEffectiveConfig;
  private String changedRemoteConfigStatus;
  private String changedCustomCapabilities;
  private String changedCustomMessages;
  private String changedPackageStatuses;
  private ConnectionSettingsStatus connectionSettingsStatus;
  private String changedConnectionSettingsStatus;
  private String changedAvailableComponents;

  // The hash of the component list stored last, and the hash the full list was last asked for: a
  // new incarnation knows neither, so it asks each agent once.
  private ByteString componentsHash;
  private ByteString componentsAskedFor;

  /**
   * What merging a message came to: whether the server must ask for full state, why a custom
   * message it carried was not kept (null when none was refused), whether the server must ask for
   * the full list of available components (the agent sent a hash this entity has not stored), and
   * the agent's description as JSON when it changed (null otherwise).
   */
  record Merged(
      boolean needsFullState,
      String refusedCustomMessage,
      boolean needsComponents,
      String newDescription,
      long capabilities) {}

  /**
   * Merges one message. The server must ask for full state when the sequence number is not the
   * previous one plus 1, or this entity has no earlier state and the message does not describe the
   * agent. A custom message is kept only for a capability the agent declared (in this message or
   * before), the latest per capability: so an agent keeps at most as many as it declared.
   */
  Merged apply(AgentToServer message, Instant now) {
    boolean gap =
        sequenceNum == UNKNOWN
            ? !message.hasAgentDescription()
            : message.getSequenceNum() != sequenceNum + 1;
    sequenceNum = message.getSequenceNum();
    lastSeen = now;

    if (message.getCapabilities() != 0 && message.getCapabilities() != capabilities) {
      capabilities = message.getCapabilities();
      changedCapabilities = AgentJson.capabilities(capabilities);
    }
    String newDescription = null;
    if (message.hasAgentDescription()
        && descriptionDigest != (descriptionDigest = digest(message.getAgentDescription()))) {
      changedDescription = AgentJson.description(message.getAgentDescription());
      newDescription = changedDescription;
    }
    if (message.hasHealth() && healthDigest != (healthDigest = digest(message.getHealth()))) {
      changedHealth = AgentJson.health(message.getHealth());
    }
    if (message.hasEffectiveConfig()
        && effectiveConfigDigest
            != (effectiveConfigDigest = digest(message.getEffectiveConfig()))) {
      changedEffectiveConfig = AgentJson.effectiveConfig(message.getEffectiveConfig());
    }
    if (message.hasRemoteConfigStatus()
        && !message.getRemoteConfigStatus().equals(remoteConfigStatus)) {
      remoteConfigStatus = message.getRemoteConfigStatus();
      changedRemoteConfigStatus = AgentJson.remoteConfigStatus(remoteConfigStatus);
    }
    if (message.hasCustomCapabilities()
        && !message.getCustomCapabilities().equals(customCapabilities)) {
      customCapabilities = message.getCustomCapabilities();
      changedCustomCapabilities = AgentJson.customCapabilities(customCapabilities);
      // Messages of capabilities no longer declared go: what is kept stays bounded by what is
      // declared.
      if (customMessages.keySet().retainAll(customCapabilities.getCapabilitiesList())) {
        customMessagesReceivedAt.keySet().retainAll(customMessages.keySet());
        changedCustomMessages = AgentJson.customMessages(customMessages, customMessagesReceivedAt);
      }
    }
    if (message.hasPackageStatuses() && !message.getPackageStatuses().equals(packageStatuses)) {
      packageStatuses = message.getPackageStatuses();
      changedPackageStatuses = PackageStatusJson.of(packageStatuses);
    }
    if (message.hasConnectionSettingsStatus()
        && !message.getConnectionSettingsStatus().equals(connectionSettingsStatus)) {
      connectionSettingsStatus = message.getConnectionSettingsStatus();
      changedConnectionSettingsStatus =
          AgentJson.connectionSettingsStatus(connectionSettingsStatus);
    }
    String refused = null;
    if (message.hasCustomMessage()) {
      CustomMessage custom = message.getCustomMessage();
      if (hasCustomCapability(custom.getCapability())) {
        customMessages.put(custom.getCapability(), custom);
        customMessagesReceivedAt.put(custom.getCapability(), now);
        changedCustomMessages = AgentJson.customMessages(customMessages, customMessagesReceivedAt);
      } else {
        refused =
            "a custom message for capability '"
                + custom.getCapability()
                + "', which the agent did not declare";
      }
    }
    return new Merged(gap, refused, mergeComponents(message), newDescription, capabilities());
  }

  /**
   * Keeps a full component list whose hash is new; for a hash alone that is new, asks for the list,
   * once per hash (an agent that answers with the hash alone again has an empty list).
   */
  private boolean mergeComponents(AgentToServer message) {
    if (!message.hasAvailableComponents()) {
      return false;
    }
    AvailableComponents available = message.getAvailableComponents();
    if (available.getHash().equals(componentsHash)) {
      return false;
    }
    if (available.getComponentsCount() == 0 && !available.getHash().equals(componentsAskedFor)) {
      componentsAskedFor = available.getHash();
      return true;
    }
    componentsHash = available.getHash();
    changedAvailableComponents = AgentJson.availableComponents(available);
    return false;
  }

  /**
   * A digest of a reported part: the first 8 bytes of the SHA-256 of its bytes (never 0, which
   * stands for "none yet"). The same part sent with its entries in another order reads as a change,
   * which costs one write and nothing else.
   */
  private static long digest(MessageLite part) {
    try {
      long digest =
          ByteBuffer.wrap(MessageDigest.getInstance("SHA-256").digest(part.toByteArray()))
              .getLong();
      return digest == 0 ? 1 : digest;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /** Whether a reported part changed since the last {@link #takeChanges()}. */
  boolean hasChanges() {
    return pendingChanges().any();
  }

  private Changes pendingChanges() {
    return new Changes(
        changedCapabilities,
        changedDescription,
        changedHealth,
        changedEffectiveConfig,
        changedRemoteConfigStatus,
        changedCustomCapabilities,
        changedCustomMessages,
        changedAvailableComponents,
        changedPackageStatuses,
        changedConnectionSettingsStatus);
  }

  Changes takeChanges() {
    Changes changes = pendingChanges();
    changedAvailableComponents = null;
    changedCapabilities = null;
    changedPackageStatuses = null;
    changedConnectionSettingsStatus = null;
    changedDescription = null;
    changedHealth = null;
    changedEffectiveConfig = null;
    changedRemoteConfigStatus = null;
    changedCustomCapabilities = null;
    changedCustomMessages = null;
    return changes;
  }

  /**
   * The agent's status for the status writer: what changed since the last one, with its connection
   * state, session and principal; notable (history-worthy) when the connection state changed or a
   * reported part did.
   */
  AgentStatus status(
      String instanceUid,
      ConnectionState connectionState,
      boolean connectionChanged,
      String node,
      long epoch,
      String principal,
      Instant now) {
    Changes changes = takeChanges();
    return new AgentStatus(
        instanceUid,
        nextVersion(now),
        connectionState,
        lastSeen,
        sequenceNum(),
        node,
        epoch,
        principal,
        changes.capabilities(),
        changes.description(),
        changes.health(),
        changes.effectiveConfig(),
        changes.remoteConfigStatus(),
        changes.customCapabilities(),
        changes.customMessages(),
        changes.availableComponents(),
        changes.packageStatuses(),
        connectionChanged || changes.any(),
        now,
        now,
        changes.connectionSettingsStatus());
  }

  /**
   * The next state version: strictly increasing, and at least the wall-clock time in microseconds
   * so that a later incarnation of this entity (after a restart or a shard move) still writes newer
   * versions than the one before it.
   */
  long nextVersion(Instant now) {
    version = Math.max(version + 1, micros(now));
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

  /** The package statuses the agent last reported, or null when none. */
  PackageStatuses reportedPackageStatuses() {
    return packageStatuses;
  }

  /** The hash of the remote config the agent last reported, empty when none. */
  ByteString reportedRemoteConfigHash() {
    return remoteConfigStatus == null
        ? ByteString.EMPTY
        : remoteConfigStatus.getLastRemoteConfigHash();
  }

  long sequenceNum() {
    return Math.max(sequenceNum, 0);
  }

  Instant lastSeen() {
    return lastSeen;
  }

  /** Microsecond wall-clock time, the unit of epochs and state versions. */
  static long micros(Instant instant) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
  }
}
