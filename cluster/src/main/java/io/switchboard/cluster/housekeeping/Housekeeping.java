package io.switchboard.cluster.housekeeping;

import io.switchboard.persistence.history.HistoryRetention;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * Cluster-wide chores that must run exactly once, so on one node: the status history's daily
 * partitions (created a few days ahead, dropped past retention). Runs as a cluster singleton, on
 * start and then every {@code interval}.
 */
public final class Housekeeping {

  public sealed interface Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  private record Done(String outcome) implements Command {}

  /**
   * @param retention      how long status history is kept
   * @param partitionsAhead how many days of history partitions exist ahead of today
   * @param interval       how often the chores run
   */
  public record Settings(Duration retention, int partitionsAhead, Duration interval) {}

  private Housekeeping() {}

  /** Starts the singleton (or a proxy to it, on the nodes that do not run it). */
  public static ActorRef<Command> init(ActorSystem<?> system, HistoryRetention history, Settings settings) {
    return ClusterSingleton.get(system)
        .init(SingletonActor.of(create(history, settings, Clock.systemUTC()), "housekeeping"));
  }

  public static Behavior<Command> create(HistoryRetention history, Settings settings, Clock clock) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> {
                  timers.startTimerWithFixedDelay(Tick.INSTANCE, Duration.ZERO, settings.interval());
                  return Behaviors.receive(Command.class)
                      .onMessageEquals(Tick.INSTANCE, () -> run(context, history, settings, clock))
                      .onMessage(
                          Done.class,
                          done -> {
                            context.getLog().info("Housekeeping: {}", done.outcome());
                            return Behaviors.same();
                          })
                      .build();
                }));
  }

  private static Behavior<Command> run(
      ActorContext<Command> context, HistoryRetention history, Settings settings, Clock clock) {
    LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
    LocalDate oldestKept = today.minusDays(settings.retention().toDays());
    context.pipeToSelf(
        history
            .ensurePartitions(today, settings.partitionsAhead())
            .thenCompose(created -> history.prune(oldestKept)),
        (List<String> dropped, Throwable failure) ->
            new Done(
                failure == null
                    ? "history partitions ready; dropped " + dropped.size() + " expired"
                    : "history partitions failed, retrying at the next run: " + failure.getMessage()));
    return Behaviors.same();
  }
}
