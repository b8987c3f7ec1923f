package io.switchboard.node;

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

  static void start(
      ActorSystem<?> system, Database database, boolean hostsAgents, Duration interval) {
    system
        .scheduler()
        .scheduleAtFixedRate(
            interval,
            interval,
            () -> {
              database.poolStats().ifPresent(stats -> pool("write", stats));
              database.readPoolStats().ifPresent(stats -> pool("read", stats));
              if (hostsAgents) {
                sharding(system);
              }
            },
            system.executionContext());
  }

  private static void pool(String name, Database.PoolStats stats) {
    SwitchboardMetrics.databasePool(name, "acquired").update(stats.acquired());
    SwitchboardMetrics.databasePool(name, "idle").update(stats.idle());
    SwitchboardMetrics.databasePool(name, "pending").update(stats.pending());
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
              SwitchboardMetrics.entities("entities")
                  .update(
                      state.getShards().stream()
                          .mapToLong(shard -> shard.getEntityIds().size())
                          .sum());
            });
  }
}
