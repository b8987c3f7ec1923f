package io.switchboard.fleetsim;

import com.google.protobuf.ByteString;
import io.switchboard.opamp.proto.AgentCapabilities;
import io.switchboard.opamp.proto.AgentConfigFile;
import io.switchboard.opamp.proto.AgentConfigMap;
import io.switchboard.opamp.proto.AgentDescription;
import io.switchboard.opamp.proto.AgentDisconnect;
import io.switchboard.opamp.proto.AgentRemoteConfig;
import io.switchboard.opamp.proto.AgentToServer;
import io.switchboard.opamp.proto.AnyValue;
import io.switchboard.opamp.proto.ComponentHealth;
import io.switchboard.opamp.proto.EffectiveConfig;
import io.switchboard.opamp.proto.KeyValue;
import io.switchboard.opamp.proto.RemoteConfigStatus;
import io.switchboard.opamp.proto.RemoteConfigStatuses;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What one simulated agent is and reports, and which parts changed since its last message. It
 * composes each AgentToServer: the full state when due, else the changed parts, else a heartbeat.
 * Not thread-safe: it belongs to one agent actor.
 */
final class AgentStatus {

  static final long CAPABILITIES =
      AgentCapabilities.AgentCapabilities_ReportsStatus_VALUE
          | AgentCapabilities.AgentCapabilities_AcceptsRemoteConfig_VALUE
          | AgentCapabilities.AgentCapabilities_ReportsEffectiveConfig_VALUE
          | AgentCapabilities.AgentCapabilities_ReportsRemoteConfig_VALUE
          | AgentCapabilities.AgentCapabilities_ReportsHealth_VALUE
          | AgentCapabilities.AgentCapabilities_ReportsHeartbeat_VALUE
          | AgentCapabilities.AgentCapabilities_AcceptsOpAMPConnectionSettings_VALUE
          | AgentCapabilities.AgentCapabilities_AcceptsRestartCommand_VALUE;

  private static final AgentConfigMap LOCAL_CONFIG =
      AgentConfigMap.newBuilder()
          .putConfigMap(
              "collector.yaml",
              AgentConfigFile.newBuilder()
                  .setContentType("text/yaml")
                  .setBody(
                      ByteString.copyFromUtf8("receivers: {otlp: {}}\nexporters: {debug: {}}\n"))
                  .build())
          .build();

  private ByteString instanceUid = newInstanceUid();
  private long sequenceNum;
  private final AgentDescription description;
  private final long startTimeNanos;
  private ComponentHealth health;
  private EffectiveConfig effectiveConfig =
      EffectiveConfig.newBuilder().setConfigMap(LOCAL_CONFIG).build();
  private RemoteConfigStatus remoteConfigStatus;

  /** The remote config being applied, until it is reported APPLIED or FAILED. */
  private AgentRemoteConfig applying;

  private boolean fullStateDue = true;
  private boolean healthChanged;
  private boolean configChanged;

  AgentStatus(int index, Instant now) {
    this.description =
        AgentDescription.newBuilder()
            .addIdentifyingAttributes(attribute("service.name", "fleet-sim-agent"))
            .addIdentifyingAttributes(attribute("service.version", "0.1.0"))
            .addNonIdentifyingAttributes(attribute("host.name", "sim-host-" + index))
            .addNonIdentifyingAttributes(attribute("os.type", "linux"))
            .build();
    this.startTimeNanos = nanos(now);
    this.health = health(true, "running", "", now);
  }

  /** The next message, with the next sequence number; it clears what it reports. */
  AgentToServer nextMessage() {
    AgentToServer.Builder message = header();
    if (fullStateDue) {
      message
          .setAgentDescription(description)
          .setHealth(health)
          .setEffectiveConfig(effectiveConfig);
      if (remoteConfigStatus != null) {
        message.setRemoteConfigStatus(remoteConfigStatus);
      }
    } else {
      if (healthChanged) {
        message.setHealth(health);
      }
      if (configChanged) {
        message.setEffectiveConfig(effectiveConfig).setRemoteConfigStatus(remoteConfigStatus);
      }
    }
    fullStateDue = false;
    healthChanged = false;
    configChanged = false;
    return message.build();
  }

  /** The goodbye a well-behaved agent sends before it closes its connection. */
  AgentToServer disconnectMessage() {
    return header().setAgentDisconnect(AgentDisconnect.getDefaultInstance()).build();
  }

  /** Whether there is more to say than a heartbeat. */
  boolean hasChanges() {
    return fullStateDue || healthChanged || configChanged;
  }

  /** On a new connection, and when the server sets ReportFullState. */
  void reportFullStateNext() {
    fullStateDue = true;
  }

  /** The server assigned this agent a new instance_uid; every following message carries it. */
  void adoptInstanceUid(ByteString newUid) {
    instanceUid = newUid;
  }

  /** The instance_uid as a UUID, the form the operator API names agents by. */
  String instanceUidText() {
    ByteBuffer uid = instanceUid.asReadOnlyByteBuffer();
    return new UUID(uid.getLong(), uid.getLong()).toString();
  }

  /** Status churn: healthy agents now and then degrade, degraded ones recover. */
  void toggleHealth(Instant now) {
    health =
        health.getHealthy()
            ? health(false, "degraded", "simulated exporter failure", now)
            : health(true, "running", "", now);
    healthChanged = true;
  }

  /**
   * Starts applying a config from the server (reported APPLYING). False when this config is already
   * applied or being applied: a server may offer it again on every new session.
   */
  boolean startApplying(AgentRemoteConfig config) {
    boolean known =
        (applying != null && applying.getConfigHash().equals(config.getConfigHash()))
            || (remoteConfigStatus != null
                && remoteConfigStatus.getStatus()
                    == RemoteConfigStatuses.RemoteConfigStatuses_APPLIED
                && remoteConfigStatus.getLastRemoteConfigHash().equals(config.getConfigHash()));
    if (known) {
      return false;
    }
    applying = config;
    remoteConfigStatus =
        RemoteConfigStatus.newBuilder()
            .setLastRemoteConfigHash(config.getConfigHash())
            .setStatus(RemoteConfigStatuses.RemoteConfigStatuses_APPLYING)
            .build();
    configChanged = true;
    return true;
  }

  /**
   * Ends applying the config with this hash: APPLIED (it becomes the effective config) or FAILED.
   * False when a newer config replaced it meanwhile.
   */
  boolean finishApplying(ByteString configHash, boolean success) {
    if (applying == null || !applying.getConfigHash().equals(configHash)) {
      return false;
    }
    RemoteConfigStatus.Builder status =
        RemoteConfigStatus.newBuilder().setLastRemoteConfigHash(configHash);
    if (success) {
      effectiveConfig = EffectiveConfig.newBuilder().setConfigMap(applying.getConfig()).build();
      status.setStatus(RemoteConfigStatuses.RemoteConfigStatuses_APPLIED);
    } else {
      status
          .setStatus(RemoteConfigStatuses.RemoteConfigStatuses_FAILED)
          .setErrorMessage("simulated apply failure");
    }
    remoteConfigStatus = status.build();
    applying = null;
    configChanged = true;
    return true;
  }

  /** Capabilities go into every message: the spec says the field must always be set. */
  private AgentToServer.Builder header() {
    return AgentToServer.newBuilder()
        .setInstanceUid(instanceUid)
        .setSequenceNum(++sequenceNum)
        .setCapabilities(CAPABILITIES);
  }

  private ComponentHealth health(boolean healthy, String status, String lastError, Instant now) {
    return ComponentHealth.newBuilder()
        .setHealthy(healthy)
        .setStartTimeUnixNano(startTimeNanos)
        .setStatus(status)
        .setLastError(lastError)
        .setStatusTimeUnixNano(nanos(now))
        .build();
  }

  private static KeyValue attribute(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }

  private static long nanos(Instant instant) {
    return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
  }

  /** A UUID version 7 (time-ordered), as the spec recommends for instance_uid. */
  static ByteString newInstanceUid() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long mostSignificant =
        (System.currentTimeMillis() << 16) | 0x7000L | (random.nextLong() & 0x0FFFL);
    long leastSignificant = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return ByteString.copyFrom(
        ByteBuffer.allocate(16).putLong(mostSignificant).putLong(leastSignificant).flip());
  }
}
