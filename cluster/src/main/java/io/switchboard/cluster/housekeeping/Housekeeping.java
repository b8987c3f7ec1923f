package io.switchboard.cluster.housekeeping;

import com.typesafe.config.Config;
import io.switchboard.persistence.history.HistoryRetention;
import io.switchboard.persistence.retention.Retention;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * Cluster-wide chores that must run exactly once, so on one node: the status history's daily
 * partitions (created a few days ahead, dropped past retention), and removing what outlived its
 * retention (agents long unseen, closed envelopes, old audit events, expired operator sessions).
 * Runs as a cluster singleton, on start and then every {@code interval}.
 */
public final class Housekeeping {

  public sealed interface Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  private record Done(String outcome) implements Command {}

  /**
   * @param retention how long status history is kept
   * @param partitionsAhead how many days of history partitions exist ahead of today
   * @param interval how often the chores run
   * @param agentsUnseen disconnected agents not seen for this long are removed
   * @param envelopes envelopes are removed this long after they closed
   * @param audit audit events older than this are removed
   */
  public record Settings(
      Duration retention,
      int partitionsAhead,
      Duration interval,
      Duration agentsUnseen,
      Duration envelopes,
      Duration audit) {

    /** From {@code switchboard.history} and {@code switchboard.retention}. */
    public static Settings fromConfig(Config switchboard) {
      return new Settings(
          switchboard.getDuration("history.retention"),
          switchboard.getInt("history.partitions-ahead"),
          switchboard.getDuration("history.housekeeping-interval"),
          switchboard.getDuration("retention.agents-unseen"),
          switchboard.getDuration("retention.envelopes"),
          switchboard.getDuration("retention.audit"));
    }
  }

  private Housekeeping() {}

  /** Starts the singleton (or a proxy to it, on the nodes that do not run it). */
  public static ActorRef<Command> init(
      ActorSystem<?> system, HistoryRetention history, Retention retention, Settings settings) {
    return ClusterSingleton.get(system)
        .init(
            SingletonActor.of(
                create(history, retention, settings, Clock.systemUTC()), "housekeeping"));
  }

  public static Behavior<Command> create(
      HistoryRetention history, Retention retention, Settings settings, Clock clock) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> {
                  timers.startTimerWithFixedDelay(
                      Tick.INSTANCE, Duration.ZERO, settings.interval());
                  return Behaviors.receive(Command.class)
                      .onMessageEquals(
                          Tick.INSTANCE, () -> run(context, history, retention, settings, clock))
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
      ActorContext<Command> context,
      HistoryRetention history,
      Retention retention,
      Settings settings,
      Clock clock) {
    LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
    LocalDate oldestKept = today.minusDays(settings.retention().toDays());
    context.pipeToSelf(
        history
            .ensurePartitions(today, settings.partitionsAhead())
            .thenCompose(created -> history.prune(oldestKept))
            .thenCompose(
                dropped ->
                    retention
                        .remove(settings.agentsUnseen(), settings.envelopes(), settings.audit())
                        .thenApply(
                            removed ->
                                "history partitions ready, dropped "
                                    + dropped.size()
                                    + " expired; removed "
                                    + removed.agents()
                                    + " agents unseen for "
                                    + settings.agentsUnseen()
                                    + ", "
                                    + removed.envelopes()
                                    + " closed envelopes, "
                                    + removed.auditEvents()
                                    + " audit events, "
                                    + removed.sessions()
                                    + " expired operator sessions")),
        (String outcome, Throwable failure) ->
            new Done(
                failure == null
                    ? outcome
                    : "housekeeping failed, retrying at the next run: " + failure.getMessage()));
    return Behaviors.same();
  }
}
