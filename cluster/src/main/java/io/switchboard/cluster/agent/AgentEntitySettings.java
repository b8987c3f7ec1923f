package io.switchboard.cluster.agent;

import com.typesafe.config.Config;
import io.switchboard.opamp.ConnectionSecrets;
import io.switchboard.opamp.ConnectionSettings;
import io.switchboard.opamp.proto.ConnectionSettingsOffers;
import java.time.Duration;

/**
 * Settings of the agent entity, from {@code switchboard.agent}.
 *
 * @param idlePassivation how long an entity with no session stays in memory before it stops
 * @param heartbeatInterval the interval offered to agents that accept connection settings
 * @param heartbeatWindow silence after which a heartbeating agent's session is dropped
 * @param pollsPerSecond how often one agent may poll over HTTP, sustained
 * @param pollBurst polls one agent may make at once beyond that
 * @param startRetry how often an entity that could not read its agent's stored state tries again
 * @param connectionSettings what every agent is offered (the heartbeat interval, and the rest of
 *     {@code connection-settings}), before an operator's settings for one agent overlay it
 * @param secrets opens the sealed secrets of operators' connection settings
 * @param lastSeenInterval how old the last-seen time handed to the status writer may grow before a
 *     message that changes nothing else is written ({@code switchboard.status.last-seen-interval});
 *     zero writes every message
 */
public record AgentEntitySettings(
    Duration idlePassivation,
    Duration heartbeatInterval,
    Duration heartbeatWindow,
    double pollsPerSecond,
    int pollBurst,
    Duration startRetry,
    ConnectionSettingsOffers connectionSettings,
    ConnectionSecrets secrets,
    Duration lastSeenInterval) {

  public AgentEntitySettings {
    if (lastSeenInterval.isNegative()) {
      throw new IllegalArgumentException(
          "switchboard.status.last-seen-interval must not be negative: " + lastSeenInterval);
    }
  }

  /**
   * Offering the heartbeat interval alone, with no secrets key, writing every message's last-seen
   * time (a last-seen interval of zero).
   */
  public AgentEntitySettings(
      Duration idlePassivation,
      Duration heartbeatInterval,
      Duration heartbeatWindow,
      double pollsPerSecond,
      int pollBurst,
      Duration startRetry) {
    this(
        idlePassivation,
        heartbeatInterval,
        heartbeatWindow,
        pollsPerSecond,
        pollBurst,
        startRetry,
        ConnectionSettings.offer(heartbeatInterval),
        ConnectionSecrets.none(),
        Duration.ZERO);
  }

  public static AgentEntitySettings fromConfig(Config switchboard) {
    Config agent = switchboard.getConfig("agent");
    return new AgentEntitySettings(
        agent.getDuration("idle-passivation"),
        agent.getDuration("heartbeat-interval"),
        agent.getDuration("heartbeat-window"),
        agent.getDouble("polls-per-second"),
        agent.getInt("poll-burst"),
        agent.getDuration("start-retry"),
        ConnectionSettingsConfig.fleet(agent),
        ConnectionSettingsConfig.secrets(switchboard),
        switchboard.getDuration("status.last-seen-interval"));
  }

  /** These settings with other fleet connection settings and secrets key (for tests and wiring). */
  public AgentEntitySettings withConnectionSettings(
      ConnectionSettingsOffers fleet, ConnectionSecrets key) {
    return new AgentEntitySettings(
        idlePassivation,
        heartbeatInterval,
        heartbeatWindow,
        pollsPerSecond,
        pollBurst,
        startRetry,
        fleet,
        key,
        lastSeenInterval);
  }

  /** These settings with another last-seen interval (for tests). */
  public AgentEntitySettings withLastSeenInterval(Duration interval) {
    return new AgentEntitySettings(
        idlePassivation,
        heartbeatInterval,
        heartbeatWindow,
        pollsPerSecond,
        pollBurst,
        startRetry,
        connectionSettings,
        secrets,
        interval);
  }

  /**
   * The fleet's heartbeat window, or three of an agent's own heartbeat intervals when operators
   * gave it a longer one than the fleet's.
   */
  Duration heartbeatWindow(Duration agentInterval) {
    if (agentInterval.compareTo(heartbeatInterval) <= 0) {
      return heartbeatWindow;
    }
    Duration own = agentInterval.multipliedBy(3);
    return own.compareTo(heartbeatWindow) > 0 ? own : heartbeatWindow;
  }
}
