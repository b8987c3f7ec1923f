package io.switchboard.node;

import io.r2dbc.pool.ConnectionPool;
import io.switchboard.cluster.agent.AgentEntity;
import io.switchboard.observability.SwitchboardMetrics;
import io.switchboard.persistence.Database;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Gauges read off the node now and then rather than counted as things happen: the agent entities
 * and shards it runs, and its database pools' connections.
 */
final class NodeGauges {

  private NodeGauges() {}

  static void start(ActorSystem<?> system, Database database, boolean hostsAgents, Duration interval) {
    system
        .scheduler()
        .scheduleAtFixedRate(
            interval,
            interval,
            () -> {
              pool("write", database.pool());
              if (database.readPool() != database.pool()) {
                pool("read", database.readPool());
              }
              if (hostsAgents) {
                sharding(system);
              }
            },
            system.executionContext());
  }

  private static void pool(String name, ConnectionPool pool) {
    pool.getMetrics()
        .ifPresent(
            metrics -> {
              SwitchboardMetrics.databasePool(name, "acquired").update(metrics.acquiredSize());
              SwitchboardMetrics.databasePool(name, "idle").update(metrics.idleSize());
              SwitchboardMetrics.databasePool(name, "pending").update(metrics.pendingAcquireSize());
            });
  }

  private static void sharding(ActorSystem<?> system) {
    AskPattern.<ClusterShardingQuery, ShardRegion.CurrentShardRegionState>ask(
            ClusterSharding.get(system).shardState(),
            replyTo -> new GetShardRegionState(AgentEntity.TYPE_KEY, replyTo),
            Duration.ofSeconds(5),
            system.scheduler())
        .thenAccept(
            state -> {
              SwitchboardMetrics.entities("shards").update(state.getShards().size());
              SwitchboardMetrics.entities("entities").update(state.getShards().stream().mapToLong(shard -> shard.getEntityIds().size()).sum());
            });
  }
}
