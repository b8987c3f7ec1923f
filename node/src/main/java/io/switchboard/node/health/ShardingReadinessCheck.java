package io.switchboard.node.health;

import io.switchboard.cluster.agent.AgentEntity;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Readiness check (Pekko Management): a node with the agents role is ready only once its shard
 * region for agent entities is up and answering; other nodes reach agents through a proxy and do
 * not need one.
 */
public final class ShardingReadinessCheck implements Supplier<CompletionStage<Boolean>> {

  private static final Duration TIMEOUT = Duration.ofSeconds(2);

  private final ActorSystem system;

  public ShardingReadinessCheck(ActorSystem system) {
    this.system = system;
  }

  @Override
  public CompletionStage<Boolean> get() {
    if (!Cluster.get(system).selfRoles().contains(AgentEntity.ROLE)) {
      return CompletableFuture.completedFuture(true);
    }
    var typed = Adapter.toTyped(system);
    return AskPattern.<ClusterShardingQuery, ShardRegion.CurrentShardRegionState>ask(
            ClusterSharding.get(typed).shardState(),
            replyTo -> new GetShardRegionState(AgentEntity.TYPE_KEY, replyTo),
            TIMEOUT,
            typed.scheduler())
        .handle((state, failure) -> failure == null);
  }
}
