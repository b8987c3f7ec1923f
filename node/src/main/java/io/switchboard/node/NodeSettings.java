package io.switchboard.node;

import com.typesafe.config.Config;
import io.switchboard.api.ApiSettings;
import io.switchboard.api.auth.AuthSettings;
import io.switchboard.cluster.agent.AgentEntity;
import io.switchboard.cluster.agent.AgentEntitySettings;
import io.switchboard.cluster.housekeeping.Housekeeping;
import io.switchboard.dispatch.DispatchSettings;
import io.switchboard.dispatch.packages.PackageSettings;
import io.switchboard.dispatch.rollout.RolloutSettings;
import io.switchboard.dispatch.webhooks.WebhookSettings;
import io.switchboard.gateway.OpampGatewaySettings;
import io.switchboard.gateway.certificates.AgentCertificateAuthority;
import io.switchboard.persistence.status.StatusWriterSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Everything a node is configured with, read once from the loaded configuration ({@code
 * switchboard.*}, with Pekko's own settings left to Pekko) into typed settings, which the node
 * hands to the parts it starts.
 *
 * @param clusterName the actor system's name, the same on every node of a cluster
 * @param dataDir the node's files (the embedded database lives under it)
 * @param roles what the node does: {@code agents} and/or {@code operators}
 * @param metrics the Prometheus endpoint and how often gauges are read
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
    AuthSettings auth,
    WebhookSettings webhooks,
    PackageSettings packages,
    AgentCertificateAuthority.Settings certificates) {

  /**
   * {@code switchboard.metrics}: where Prometheus scrapes, how often gauges are read off the node,
   * and how often the fleet gauges are computed from the database.
   */
  public record Metrics(
      String host, int port, Duration gaugeInterval, Duration fleetGaugeInterval) {}

  /** Room in a message between nodes for what wraps an agent's message or an operator's config. */
  private static final long FRAME_HEADROOM = 256 * 1024;

  /**
   * Reads the settings of a configuration whose roles {@link NodeRoles#apply} has set, and refuses
   * one in which the largest agent message or operator config would not fit in a message between
   * nodes (Artery would drop it, with no word to the agent or the operator).
   */
  public static NodeSettings fromConfig(Config config) {
    Config switchboard = config.getConfig("switchboard");
    long frame = config.getBytes("pekko.remote.artery.advanced.maximum-frame-size");
    long largest =
        Math.max(
            switchboard.getBytes("opamp.max-message-size"),
            switchboard.getBytes("api.max-config-size"));
    if (frame < largest + FRAME_HEADROOM) {
      throw new IllegalArgumentException(
          "pekko.remote.artery.advanced.maximum-frame-size ("
              + frame
              + " bytes) must be at least "
              + (largest + FRAME_HEADROOM)
              + ": switchboard.opamp.max-message-size or switchboard.api.max-config-size is "
              + largest
              + " bytes, and such a message crosses nodes whole");
    }
    if (config.getString("pekko.remote.artery.transport").equals("tls-tcp")) {
      for (String store : List.of("key-store", "trust-store")) {
        String file = config.getString("pekko.remote.artery.ssl.config-ssl-engine." + store);
        if (file.isBlank() || !Files.isReadable(Path.of(file))) {
          throw new IllegalArgumentException(
              "pekko.remote.artery.transport is tls-tcp but pekko.remote.artery.ssl.config-ssl-engine."
                  + store
                  + " ('"
                  + file
                  + "') is not a readable file: set SWITCHBOARD_REMOTE_KEYSTORE and"
                  + " SWITCHBOARD_REMOTE_TRUSTSTORE (docs/cluster.md)");
        }
      }
    }
    return new NodeSettings(
        switchboard.getString("cluster-name"),
        Path.of(switchboard.getString("data-dir")),
        Set.copyOf(config.getStringList("pekko.cluster.roles")),
        new Metrics(
            switchboard.getString("metrics.host"),
            switchboard.getInt("metrics.port"),
            switchboard.getDuration("metrics.gauge-interval"),
            switchboard.getDuration("metrics.fleet-gauge-interval")),
        Housekeeping.Settings.fromConfig(switchboard),
        StatusWriterSettings.fromConfig(switchboard),
        AgentEntitySettings.fromConfig(switchboard),
        OpampGatewaySettings.fromConfig(switchboard),
        DispatchSettings.fromConfig(switchboard),
        RolloutSettings.fromConfig(switchboard),
        ApiSettings.fromConfig(switchboard),
        AuthSettings.fromConfig(switchboard),
        WebhookSettings.fromConfig(switchboard),
        PackageSettings.fromConfig(switchboard),
        AgentCertificateAuthority.Settings.fromConfig(switchboard.getConfig("opamp.certificates")));
  }

  /**
   * Where the API binds: as configured, except that with sign-in off it binds to loopback only
   * unless {@code switchboard.api.auth.allow-remote-without-sign-in} says otherwise.
   */
  public String apiHost() {
    return auth.enabled() || auth.allowRemoteWithoutSignIn() ? api.host() : "127.0.0.1";
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
