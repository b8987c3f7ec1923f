package io.switchboard.node;

import com.typesafe.config.Config;
import io.switchboard.api.ApiSettings;
import io.switchboard.api.auth.AuthSettings;
import io.switchboard.cluster.agent.AgentEntity;
import io.switchboard.cluster.agent.AgentEntitySettings;
import io.switchboard.cluster.housekeeping.Housekeeping;
import io.switchboard.dispatch.DispatchSettings;
import io.switchboard.dispatch.rollout.RolloutSettings;
import io.switchboard.gateway.OpampGatewaySettings;
import io.switchboard.persistence.status.StatusWriterSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/**
 * Everything a node is configured with, read once from the loaded configuration ({@code
 * switchboard.*}, with Pekko's own settings left to Pekko) into typed settings, which the node hands
 * to the parts it starts.
 *
 * @param clusterName  the actor system's name, the same on every node of a cluster
 * @param dataDir      the node's files (the embedded database lives under it)
 * @param roles        what the node does: {@code agents} and/or {@code operators}
 * @param metrics      the Prometheus endpoint and how often gauges are read
 */
public record NodeSettings(
    String clusterName,
    Path dataDir,
    Set<String> roles,
    Metrics metrics,
    Housekeeping.Settings history,
    StatusWriterSettings statusWriter,
    AgentEntitySettings agent,
    OpampGatewaySettings opamp,
    DispatchSettings dispatch,
    RolloutSettings rollouts,
    ApiSettings api,
    AuthSettings auth) {

  /** {@code switchboard.metrics}: where Prometheus scrapes, and how often gauges are read off the node. */
  public record Metrics(String host, int port, Duration gaugeInterval) {}

  /** Reads the settings of a configuration whose roles {@link NodeRoles#apply} has set. */
  public static NodeSettings fromConfig(Config config) {
    Config switchboard = config.getConfig("switchboard");
    return new NodeSettings(
        switchboard.getString("cluster-name"),
        Path.of(switchboard.getString("data-dir")),
        Set.copyOf(config.getStringList("pekko.cluster.roles")),
        new Metrics(
            switchboard.getString("metrics.host"),
            switchboard.getInt("metrics.port"),
            switchboard.getDuration("metrics.gauge-interval")),
        new Housekeeping.Settings(
            switchboard.getDuration("history.retention"),
            switchboard.getInt("history.partitions-ahead"),
            switchboard.getDuration("history.housekeeping-interval")),
        StatusWriterSettings.fromConfig(switchboard),
        AgentEntitySettings.fromConfig(switchboard),
        OpampGatewaySettings.fromConfig(switchboard),
        DispatchSettings.fromConfig(switchboard),
        RolloutSettings.fromConfig(switchboard),
        ApiSettings.fromConfig(switchboard),
        AuthSettings.fromConfig(switchboard));
  }

  /** Whether the node hosts agents (the OpAMP endpoint and agent entities). */
  public boolean servesAgents() {
    return roles.contains(AgentEntity.ROLE);
  }

  /** Whether the node serves operators (the API and the dashboard). */
  public boolean servesOperators() {
    return roles.contains(NodeRoles.OPERATORS);
  }
}
