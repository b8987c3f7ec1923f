package io.switchboard.cluster.agent;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * Settings of the agent entity, from {@code switchboard.agent}.
 *
 * @param idlePassivation how long an entity with no session stays in memory before it stops
 */
public record AgentEntitySettings(Duration idlePassivation) {

  public static AgentEntitySettings fromConfig(Config switchboard) {
    return new AgentEntitySettings(switchboard.getDuration("agent.idle-passivation"));
  }
}
