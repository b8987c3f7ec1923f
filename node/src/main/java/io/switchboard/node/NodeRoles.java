package io.switchboard.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import io.switchboard.cluster.agent.AgentEntity;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * What a node does, as cluster roles: {@code agents} (the OpAMP endpoint, and the agent entities)
 * and {@code operators} (the operator API). Every node does both by default; a large deployment may
 * keep agent-facing nodes apart from operator-facing ones.
 */
final class NodeRoles {

  static final String OPERATORS = "operators";
  private static final Set<String> KNOWN = Set.of(AgentEntity.ROLE, OPERATORS);

  private NodeRoles() {}

  /**
   * The configuration with {@code switchboard.roles} (comma-separated) as the node's cluster roles.
   */
  static Config apply(Config config) {
    List<String> roles =
        Arrays.stream(config.getString("switchboard.roles").split(","))
            .map(String::strip)
            .filter(role -> !role.isEmpty())
            .toList();
    if (roles.isEmpty() || !KNOWN.containsAll(roles)) {
      throw new IllegalArgumentException(
          "switchboard.roles must name one or both of "
              + KNOWN
              + ", got '"
              + config.getString("switchboard.roles")
              + "'");
    }
    return config.withValue("pekko.cluster.roles", ConfigValueFactory.fromIterable(roles));
  }

  static boolean has(Config config, String role) {
    return config.getStringList("pekko.cluster.roles").contains(role);
  }
}
