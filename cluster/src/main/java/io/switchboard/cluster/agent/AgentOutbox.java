package io.switchboard.cluster.agent;

import com.google.protobuf.ByteString;
import io.switchboard.opamp.proto.AgentCapabilities;
import io.switchboard.opamp.proto.AgentConfigMap;
import io.switchboard.opamp.proto.AgentRemoteConfig;
import io.switchboard.opamp.proto.ConnectionSettingsOffers;
import io.switchboard.opamp.proto.OpAMPConnectionSettings;
import io.switchboard.opamp.proto.ServerToAgent;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;

/**
 * What the server has for one agent beyond the answer to its message: the connection settings
 * offer and the desired remote config (each sent once per session, and only to an agent whose
 * capabilities allow it), and the commands and custom messages waiting for a polling agent's next
 * polls.
 */
final class AgentOutbox {

  /** Messages kept for a polling agent's next polls; beyond this, operators are told to wait. */
  static final int MAX_PENDING_FOR_POLL = 16;

  private final ConnectionSettingsOffers connectionSettings;
  private final Deque<ServerToAgent> pendingForPoll = new ArrayDeque<>();
  private boolean connectionSettingsOffered;
  private AgentRemoteConfig desiredConfig;
  private boolean desiredConfigOffered;

  AgentOutbox(Duration heartbeatInterval) {
    this.connectionSettings = connectionSettings(heartbeatInterval);
  }

  /** A new session starts: the offers go out again on it; nothing queued survives the old one. */
  void newSession() {
    connectionSettingsOffered = false;
    desiredConfigOffered = false;
    pendingForPoll.clear();
  }

  /** Adds to a reply what is due and what the agent can take; queued messages only if polling. */
  void addTo(ServerToAgent.Builder reply, AgentState state, boolean polling) {
    if (!connectionSettingsOffered
        && state.hasCapability(AgentCapabilities.AgentCapabilities_AcceptsOpAMPConnectionSettings_VALUE)) {
      reply.setConnectionSettings(connectionSettings);
      connectionSettingsOffered = true;
    }
    if (desiredConfigDue(state)) {
      reply.setRemoteConfig(desiredConfig);
      desiredConfigOffered = true;
    }
    if (polling) {
      takePending(reply);
    }
  }

  /** Sets what operators want the agent to run; it goes out with the next reply or push. */
  void desire(AgentConfigMap config) {
    desiredConfig = AgentRemoteConfig.newBuilder().setConfig(config).setConfigHash(ConfigHash.of(config)).build();
    desiredConfigOffered = false;
  }

  /**
   * The desired config is due once per session, to an agent that can take it and runs another.
   * Taking it marks it sent.
   */
  boolean desiredConfigDue(AgentState state) {
    return desiredConfig != null
        && !desiredConfigOffered
        && state.hasCapability(AgentCapabilities.AgentCapabilities_AcceptsRemoteConfig_VALUE)
        && !desiredConfig.getConfigHash().equals(state.reportedRemoteConfigHash());
  }

  AgentRemoteConfig takeDesiredConfig() {
    desiredConfigOffered = true;
    return desiredConfig;
  }

  /** Queues a command or custom message for the next polls; false when the queue is full. */
  boolean queueForPoll(ServerToAgent message) {
    if (pendingForPoll.size() >= MAX_PENDING_FOR_POLL) {
      return false;
    }
    pendingForPoll.add(message);
    return true;
  }

  /** One ServerToAgent carries at most one command and one custom message: the oldest of each. */
  private void takePending(ServerToAgent.Builder reply) {
    Iterator<ServerToAgent> pending = pendingForPoll.iterator();
    while (pending.hasNext()) {
      ServerToAgent next = pending.next();
      if (next.hasCommand() && !reply.hasCommand()) {
        reply.setCommand(next.getCommand());
        pending.remove();
      } else if (next.hasCustomMessage() && !reply.hasCustomMessage()) {
        reply.setCustomMessage(next.getCustomMessage());
        pending.remove();
      }
    }
  }

  /**
   * The fleet's OpAMP heartbeat interval as a connection settings offer. Its hash is the SHA-256 of
   * the offered settings, so an agent sees the same hash for the same offer on every node.
   */
  private static ConnectionSettingsOffers connectionSettings(Duration heartbeatInterval) {
    OpAMPConnectionSettings opamp =
        OpAMPConnectionSettings.newBuilder().setHeartbeatIntervalSeconds(heartbeatInterval.toSeconds()).build();
    try {
      return ConnectionSettingsOffers.newBuilder()
          .setHash(ByteString.copyFrom(MessageDigest.getInstance("SHA-256").digest(opamp.toByteArray())))
          .setOpamp(opamp)
          .build();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
