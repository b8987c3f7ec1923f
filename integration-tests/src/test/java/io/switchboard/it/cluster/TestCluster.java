package io.switchboard.it.cluster;

import com.typesafe.config.Config;
import io.switchboard.cluster.agent.AgentEntity;
import io.switchboard.node.SwitchboardNode;
import io.switchboard.testkit.TestNodes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery;
import org.apache.pekko.cluster.sharding.typed.GetClusterShardingStats;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * Several nodes in one JVM on one database: their configuration, and what sharding says about them.
 */
public final class TestCluster {

  private TestCluster() {}

  /** A node of the cluster on {@code databaseUrl}, joining {@code seeds} (or itself, with none). */
  public static Config nodeConfig(
      String databaseUrl, List<String> seeds, Map<String, Object> overrides) {
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("switchboard.database.url", databaseUrl);
    settings.put("pekko.cluster.seed-nodes", new ArrayList<>(seeds));
    settings.put("switchboard.cluster.join-self", seeds.isEmpty());
    settings.put("pekko.cluster.jmx.multi-mbeans-in-same-jvm", "on");
    settings.putAll(overrides);
    return TestNodes.config(settings);
  }

  public static String address(SwitchboardNode node) {
    return Cluster.get(node.system()).selfMember().address().toString();
  }

  public static long upMembers(SwitchboardNode node) {
    return StreamSupport.stream(
            Cluster.get(node.system()).state().getMembers().spliterator(), false)
        .filter(member -> member.status() == MemberStatus.up())
        .count();
  }

  /**
   * How many nodes host a region for agent entities, as the coordinator sees it from {@code node}.
   */
  public static int shardRegions(SwitchboardNode node) throws Exception {
    ShardRegion.ClusterShardingStats stats =
        AskPattern.<ClusterShardingQuery, ShardRegion.ClusterShardingStats>ask(
                ClusterSharding.get(node.system()).shardState(),
                replyTo ->
                    new GetClusterShardingStats(
                        AgentEntity.TYPE_KEY, Duration.ofSeconds(3), replyTo),
                Duration.ofSeconds(5),
                node.system().scheduler())
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    return stats.getRegions().size();
  }

  /** The instance uids of the agent entities running on {@code node}. */
  public static Set<String> entitiesOn(SwitchboardNode node) throws Exception {
    ShardRegion.CurrentShardRegionState state =
        AskPattern.<ClusterShardingQuery, ShardRegion.CurrentShardRegionState>ask(
                ClusterSharding.get(node.system()).shardState(),
                replyTo -> new GetShardRegionState(AgentEntity.TYPE_KEY, replyTo),
                Duration.ofSeconds(5),
                node.system().scheduler())
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    return state.getShards().stream()
        .flatMap(shard -> shard.getEntityIds().stream())
        .collect(Collectors.toSet());
  }
}
