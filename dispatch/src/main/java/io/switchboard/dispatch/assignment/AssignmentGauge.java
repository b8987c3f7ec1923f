package io.switchboard.dispatch.assignment;

import io.switchboard.observability.SwitchboardMetrics;
import io.switchboard.persistence.assignments.AssignmentStore;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * Computes {@code switchboard_assignment_oldest_unapplied_seconds} from the database in one place,
 * a cluster singleton, so the fleet's figure is one series, not one per node. Its node drops the
 * series when the singleton moves away.
 */
public final class AssignmentGauge {

  /** The singleton's messages. */
  public sealed interface Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  private record Measured(Double seconds, Throwable failure) implements Command {}

  private AssignmentGauge() {}

  public static void init(ActorSystem<?> system, AssignmentStore store, Duration interval) {
    ClusterSingleton.get(system)
        .init(SingletonActor.of(create(store, interval), "assignment-gauge"));
  }

  public static Behavior<Command> create(AssignmentStore store, Duration interval) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> {
                  timers.startTimerWithFixedDelay(Tick.INSTANCE, Duration.ZERO, interval);
                  return Behaviors.receive(Command.class)
                      .onMessageEquals(
                          Tick.INSTANCE,
                          () -> {
                            context.pipeToSelf(store.oldestUnappliedSeconds(), Measured::new);
                            return Behaviors.same();
                          })
                      .onMessage(
                          Measured.class,
                          measured -> {
                            if (measured.failure() == null) {
                              SwitchboardMetrics.assignmentOldestUnapplied()
                                  .set(Map.of(), measured.seconds());
                            } else {
                              context
                                  .getLog()
                                  .warn(
                                      "Could not measure unapplied assignments: {}",
                                      measured.failure().toString());
                            }
                            return Behaviors.same();
                          })
                      .onSignal(
                          PostStop.class,
                          stopped -> {
                            SwitchboardMetrics.assignmentOldestUnapplied().removeIf(labels -> true);
                            return Behaviors.same();
                          })
                      .build();
                }));
  }
}
