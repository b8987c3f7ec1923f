package io.switchboard.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.JoinSeedNodes;

/**
 * How a node finds its cluster: seed nodes (from pekko.cluster.seed-nodes, joined by Pekko itself,
 * or from the environment's comma-separated switchboard.cluster.seed-nodes), a node alone
 * (join-self), or Cluster Bootstrap through discovery (kubernetes-api, or config for local runs).
 */
final class ClusterFormation {

  private ClusterFormation() {}

  static boolean bootstrap(Config config) {
    String formation = config.getString("switchboard.cluster.formation");
    if (!formation.equals("seeds") && !formation.equals("bootstrap")) {
      throw new IllegalArgumentException(
          "switchboard.cluster.formation must be seeds or bootstrap, got " + formation);
    }
    return formation.equals("bootstrap");
  }

  /** Seed nodes from the environment, or else the node alone when join-self is on. */
  static void joinSeedsOrSelf(ActorSystem<?> system, Config config) {
    Cluster cluster = Cluster.get(system);
    List<Address> seeds =
        commaSeparated(config.getString("switchboard.cluster.seed-nodes")).stream()
            .map(AddressFromURIString::parse)
            .toList();
    if (!seeds.isEmpty()) {
      cluster.manager().tell(new JoinSeedNodes(seeds));
    } else if (config.getBoolean("switchboard.cluster.join-self")
        && config.getList("pekko.cluster.seed-nodes").isEmpty()) {
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
    }
  }

  /**
   * The config discovery method reads a list of endpoints; switchboard.cluster.discovery-endpoints
   * gives it as one comma-separated string, which the environment can carry.
   */
  static Config withDiscoveryEndpoints(Config config) {
    List<String> endpoints =
        commaSeparated(config.getString("switchboard.cluster.discovery-endpoints"));
    if (endpoints.isEmpty()) {
      return config;
    }
    String service =
        config.getString("pekko.management.cluster.bootstrap.contact-point-discovery.service-name");
    List<Map<String, Object>> list =
        endpoints.stream()
            .map(
                endpoint -> {
                  int colon = endpoint.lastIndexOf(':');
                  if (colon <= 0) {
                    throw new IllegalArgumentException(
                        "discovery endpoint must be host:port, got " + endpoint);
                  }
                  return Map.<String, Object>of(
                      "host",
                      endpoint.substring(0, colon),
                      "port",
                      Integer.parseInt(endpoint.substring(colon + 1)));
                })
            .toList();
    return config.withValue(
        "pekko.discovery.config.services." + service + ".endpoints",
        ConfigValueFactory.fromAnyRef(list));
  }

  private static List<String> commaSeparated(String value) {
    return Arrays.stream(value.split(","))
        .map(String::strip)
        .filter(part -> !part.isEmpty())
        .toList();
  }
}
