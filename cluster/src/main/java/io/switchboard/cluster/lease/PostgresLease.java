package io.switchboard.cluster.lease;

import io.switchboard.observability.SwitchboardMetrics;
import io.switchboard.persistence.DatabaseExtension;
import io.switchboard.persistence.leases.LeaseStore;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.ActorNotFound;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.coordination.lease.LeaseSettings;
import org.apache.pekko.coordination.lease.javadsl.Lease;
import reactor.core.publisher.Mono;

/**
 * A Pekko {@link Lease} kept in the {@code leases} table ({@link LeaseStore}): whoever holds the
 * row, unexpired, holds the lease. Acquiring takes a free or expired row (the database's clock
 * decides expiry); the holder renews it every heartbeat-interval for heartbeat-timeout more. A
 * holder that cannot renew in time (its renewal found the row taken, or the database did not answer
 * before the lease ran out) stops holding it and calls the lease-lost callback. Configured as
 * {@code switchboard.lease} for per-shard leases, cluster singletons and the Split Brain Resolver's
 * lease-majority.
 *
 * <p>Pekko's Shard (1.2) acquires its lease but never releases it when it stops (a hand-off to
 * another node, a rebalance). Renewed blindly, such a lease would keep the shard from ever starting
 * anywhere else. So a shard lease is renewed only while its shard still runs on this node, and is
 * released otherwise; the new owner gets it at its next retry.
 */
public final class PostgresLease extends Lease {

  private final LeaseSettings settings;
  private final ExtendedActorSystem system;
  private final Duration ttl;
  private final Duration heartbeatInterval;

  /**
   * The lease as this node holds it: which tenure (one acquire to its release or loss) and when the
   * database last confirmed it, in System.nanoTime(). A renewal confirms only the tenure it started
   * in, so one still in flight when the lease is released cannot make it look held again.
   */
  private final AtomicReference<Holding> holding = new AtomicReference<>(Holding.NONE);

  private final AtomicLong tenures = new AtomicLong();
  private final AtomicLong fencingToken = new AtomicLong();
  private final AtomicReference<Cancellable> heartbeat = new AtomicReference<>();
  private final AtomicReference<Consumer<Optional<Throwable>>> onLost =
      new AtomicReference<>(lost -> {});

  /** For a shard's lease, where that shard runs while this node has it; empty for other leases. */
  private final Optional<String> shardPath;

  public PostgresLease(LeaseSettings settings, ExtendedActorSystem system) {
    this.settings = settings;
    this.system = system;
    this.ttl = Duration.ofMillis(settings.timeoutSettings().heartbeatTimeout().toMillis());
    this.heartbeatInterval =
        Duration.ofMillis(settings.timeoutSettings().heartbeatInterval().toMillis());
    this.shardPath = shardPath(settings.leaseName(), system.name());
  }

  /**
   * Pekko names a shard's lease {@code <system>-shard-<type name>-<shard id>}, and runs the shard
   * as {@code /system/sharding/<type name>/<shard id>} (both URL-encoded in the path).
   */
  static Optional<String> shardPath(String leaseName, String systemName) {
    String prefix = systemName + "-shard-";
    int lastDash = leaseName.lastIndexOf('-');
    if (!leaseName.startsWith(prefix) || lastDash < prefix.length()) {
      return Optional.empty();
    }
    String typeName = leaseName.substring(prefix.length(), lastDash);
    String shardId = leaseName.substring(lastDash + 1);
    return Optional.of(
        "/system/sharding/"
            + URLEncoder.encode(typeName, StandardCharsets.UTF_8)
            + "/"
            + URLEncoder.encode(shardId, StandardCharsets.UTF_8));
  }

  /**
   * Once this node's shards are handed off on its way out, frees their leases at once (instead of
   * leaving them to run out), so the nodes taking the shards over start them at their next retry.
   */
  public static void releaseShardLeasesOnLeave(ActorSystem<?> system) {
    String owner = Cluster.get(system).selfMember().address().hostPort();
    CoordinatedShutdown.get(system)
        .addTask(
            CoordinatedShutdown.PhaseClusterLeave(),
            "release-shard-leases",
            () ->
                new LeaseStore(
                        DatabaseExtension.get(system).database().pool(), Duration.ofSeconds(10))
                    .releaseAll(owner, system.name() + "-shard-")
                    .doOnNext(
                        released ->
                            system.log().info("Released {} shard leases on leaving", released))
                    .onErrorResume(
                        failure -> {
                          system
                              .log()
                              .warn(
                                  "Shard leases not released; they run out instead: {}",
                                  failure.toString());
                          return Mono.just(0L);
                        })
                    .thenReturn(Done.getInstance())
                    .toFuture());
  }

  @Override
  public LeaseSettings getSettings() {
    return settings;
  }

  @Override
  public CompletionStage<Boolean> acquire() {
    return acquire(lost -> {});
  }

  @Override
  public CompletionStage<Boolean> acquire(Consumer<Optional<Throwable>> leaseLostCallback) {
    long startedAt = System.nanoTime();
    return store()
        .acquire(settings.leaseName(), settings.ownerName(), ttl)
        .map(
            token -> {
              fencingToken.set(token);
              holding.set(new Holding(tenures.incrementAndGet(), startedAt));
              onLost.set(leaseLostCallback);
              startHeartbeat();
              SwitchboardMetrics.leaseAcquisitions(settings.leaseName()).increment();
              return true;
            })
        .defaultIfEmpty(false)
        .toFuture();
  }

  @Override
  public CompletionStage<Boolean> release() {
    stopHeartbeat();
    holding.set(Holding.NONE);
    return store().release(settings.leaseName(), settings.ownerName()).toFuture();
  }

  /** True while the lease was confirmed less than heartbeat-timeout ago, as measured here. */
  @Override
  public boolean checkLease() {
    Holding held = holding.get();
    return held != Holding.NONE && System.nanoTime() - held.confirmedAtNanos() < ttl.toNanos();
  }

  /** Grows each time the lease changes hands; meaningful while {@link #checkLease()} holds. */
  public long fencingToken() {
    return fencingToken.get();
  }

  private void startHeartbeat() {
    Cancellable previous =
        heartbeat.getAndSet(
            system
                .scheduler()
                .scheduleWithFixedDelay(
                    heartbeatInterval,
                    heartbeatInterval,
                    this::renewOrRelease,
                    system.dispatcher()));
    if (previous != null) {
      previous.cancel();
    }
  }

  private void stopHeartbeat() {
    Cancellable running = heartbeat.getAndSet(null);
    if (running != null) {
      running.cancel();
    }
  }

  /** Renews the lease, or releases a shard's lease whose shard no longer runs here. */
  private void renewOrRelease() {
    if (shardPath.isEmpty()) {
      renew();
      return;
    }
    system
        .actorSelection(shardPath.get())
        .resolveOne(heartbeatInterval)
        .whenComplete(
            (shard, failure) -> {
              Throwable cause =
                  failure instanceof CompletionException ? failure.getCause() : failure;
              if (cause instanceof ActorNotFound) {
                system
                    .log()
                    .info(
                        "Releasing lease {}: its shard stopped on this node", settings.leaseName());
                release();
              } else {
                renew();
              }
            });
  }

  private void renew() {
    long startedAt = System.nanoTime();
    long tenure = holding.get().tenure();
    if (tenure == Holding.NONE.tenure()) {
      return;
    }
    store()
        .renew(settings.leaseName(), settings.ownerName(), ttl)
        .subscribe(
            token ->
                holding.updateAndGet(
                    held ->
                        held.tenure() == tenure && held.confirmedAtNanos() < startedAt
                            ? new Holding(tenure, startedAt)
                            : held),
            failure -> {
              if (!checkLease()) {
                lost(tenure, Optional.of(failure));
              }
            },
            () -> {
              if (holding.get().confirmedAtNanos() < startedAt) {
                lost(tenure, Optional.empty());
              }
            });
  }

  /** Ends the tenure a failed renewal started in, unless it ended already. */
  private void lost(long tenure, Optional<Throwable> cause) {
    Holding held = holding.get();
    if (held.tenure() == tenure && holding.compareAndSet(held, Holding.NONE)) {
      stopHeartbeat();
      SwitchboardMetrics.leaseLosses(settings.leaseName()).increment();
      system.log().warning("Lost lease {} held by {}", settings.leaseName(), settings.ownerName());
      onLost.get().accept(cause);
    }
  }

  private LeaseStore store() {
    return new LeaseStore(
        DatabaseExtension.get(Adapter.toTyped(system)).database().pool(),
        Duration.ofMillis(settings.timeoutSettings().operationTimeout().toMillis()));
  }

  private record Holding(long tenure, long confirmedAtNanos) {
    static final Holding NONE = new Holding(0, 0);
  }
}
