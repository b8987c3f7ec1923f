package io.switchboard.cluster.agent;

import com.typesafe.config.Config;
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
    Duration lastSeenInterval) {

  public AgentEntitySettings {
    if (lastSeenInterval.isNegative()) {
      throw new IllegalArgumentException(
          "switchboard.status.last-seen-interval must not be negative: " + lastSeenInterval);
    }
  }

  /** Settings that write every message's last-seen time (a last-seen interval of zero). */
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
        switchboard.getDuration("status.last-seen-interval"));
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
