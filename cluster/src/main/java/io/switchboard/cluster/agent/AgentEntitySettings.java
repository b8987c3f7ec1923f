package io.switchboard.cluster.agent;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * Settings of the agent entity, from {@code switchboard.agent}.
 *
 * @param idlePassivation   how long an entity with no session stays in memory before it stops
 * @param heartbeatInterval the interval offered to agents that accept connection settings
 * @param heartbeatWindow   silence after which a heartbeating agent's session is dropped
 */
public record AgentEntitySettings(Duration idlePassivation, Duration heartbeatInterval, Duration heartbeatWindow) {

  public static AgentEntitySettings fromConfig(Config switchboard) {
    Config agent = switchboard.getConfig("agent");
    return new AgentEntitySettings(
        agent.getDuration("idle-passivation"),
        agent.getDuration("heartbeat-interval"),
        agent.getDuration("heartbeat-window"));
  }
}
