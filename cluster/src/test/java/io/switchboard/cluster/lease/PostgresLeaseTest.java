package io.switchboard.cluster.lease;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.switchboard.testkit.TestDatabase;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.coordination.lease.javadsl.Lease;
import org.apache.pekko.coordination.lease.javadsl.LeaseProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresLeaseTest {

  private TestDatabase db;
  private ActorTestKit testKit;

  @BeforeAll
  void start() {
    db = TestDatabase.start();
    testKit =
        ActorTestKit.create(
            ConfigFactory.parseMap(
                    Map.of(
                        "switchboard.database.url", db.url(),
                        "switchboard.lease.heartbeat-timeout", "2s",
                        "switchboard.lease.heartbeat-interval", "200ms"))
                .withFallback(ConfigFactory.load()));
  }

  @AfterAll
  void stop() {
    testKit.shutdownTestKit();
    db.close();
  }

  @Test
  void oneOwnerAtATimeAndTheFencingTokenGrowsWhenItChangesHands() throws Exception {
    PostgresLease first = lease("shard-1", "node-a");
    PostgresLease second = lease("shard-1", "node-b");

    assertTrue(get(first.acquire()));
    assertFalse(get(second.acquire()), "held by node-a");
    assertTrue(get(first.acquire()), "acquiring again as the holder keeps it");
    long firstToken = first.fencingToken();

    assertTrue(get(first.release()));
    assertFalse(first.checkLease());
    assertTrue(get(second.acquire()));
    assertTrue(second.fencingToken() > firstToken);
    get(second.release());
  }

  @Test
  void theHolderRenewsItsLeasePastTheTimeout() {
    PostgresLease holder = lease("shard-2", "node-a");
    PostgresLease contender = lease("shard-2", "node-b");
    assertTrue(get(holder.acquire()));

    // Four seconds of a two-second lease, kept alive by its heartbeat all along.
    await()
        .pollDelay(Duration.ofSeconds(4))
        .atMost(Duration.ofSeconds(6))
        .until(holder::checkLease);
    assertFalse(get(contender.acquire()));
    get(holder.release());
  }

  @Test
  void aHolderCutOffFromRenewingLosesTheLeaseAndIsToldSo() {
    PostgresLease stale = lease("shard-3", "node-a");
    PostgresLease successor = lease("shard-3", "node-b");
    CompletableFuture<Optional<Throwable>> lost = new CompletableFuture<>();
    assertTrue(get(stale.acquire(lost::complete)));

    // As if node-a's renewals stopped reaching the database until the lease ran out.
    db.execute("UPDATE leases SET expires_at = now() - interval '1 second' WHERE name = 'shard-3'");
    assertTrue(get(successor.acquire()), "an expired lease can be taken");

    await().atMost(Duration.ofSeconds(5)).until(lost::isDone);
    assertFalse(stale.checkLease(), "the stale holder no longer acts on it");
    assertTrue(successor.checkLease());
    assertEquals("node-b", db.queryForString("SELECT owner FROM leases WHERE name = 'shard-3'"));
    get(successor.release());
  }

  @Test
  void aShardsLeaseIsKeptWhileTheShardRunsHereAndReleasedOnceItStopped() {
    // Stands in for Pekko's sharding guardian, region and one running shard:
    // /system/sharding/Agent/7.
    testKit
        .system()
        .systemActorOf(
            Behaviors.setup(
                guardian -> {
                  guardian.spawn(
                      Behaviors.setup(
                          region -> {
                            region.spawn(Behaviors.empty(), "7");
                            return Behaviors.empty();
                          }),
                      "Agent");
                  return Behaviors.empty();
                }),
            "sharding",
            Props.empty());
    String prefix = testKit.system().name() + "-shard-Agent-";
    PostgresLease running = lease(prefix + "7", "node-a");
    PostgresLease stopped = lease(prefix + "8", "node-a");
    assertTrue(get(running.acquire()));
    assertTrue(get(stopped.acquire()));

    await().atMost(Duration.ofSeconds(5)).until(() -> get(lease(prefix + "8", "node-b").acquire()));
    assertFalse(get(lease(prefix + "7", "node-b").acquire()), "its shard still runs on node-a");
    assertTrue(running.checkLease());
  }

  @Test
  void onlyShardLeasesNameAShard() {
    assertEquals(
        Optional.of("/system/sharding/Agent/478"),
        PostgresLease.shardPath("switchboard-shard-Agent-478", "switchboard"));
    assertEquals(
        Optional.empty(),
        PostgresLease.shardPath(
            "switchboard-singleton-pekko://switchboard/system/housekeeping", "switchboard"));
    assertEquals(Optional.empty(), PostgresLease.shardPath("shard-1", "switchboard"));
  }

  private PostgresLease lease(String name, String owner) {
    Lease lease =
        LeaseProvider.get(testKit.system().classicSystem())
            .getLease(name, "switchboard.lease", owner);
    return (PostgresLease) lease;
  }

  private static <T> T get(java.util.concurrent.CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
