package io.switchboard.cluster.agent;

import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * Finds an agent's entity, wherever it lives; in a node this is Cluster Sharding's {@code
 * entityRefFor(AgentEntity.TYPE_KEY, instanceUid)}.
 */
@FunctionalInterface
public interface AgentRefs {
  EntityRef<AgentProtocol.Command> entityFor(String instanceUid);
}
