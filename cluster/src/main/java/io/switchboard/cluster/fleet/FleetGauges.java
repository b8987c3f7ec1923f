package io.switchboard.cluster.fleet;

import io.switchboard.observability.FleetSignalMetrics;
import io.switchboard.observability.SwitchboardMetrics;
import io.switchboard.observability.TransientGauge;
import io.switchboard.persistence.assignments.AssignmentStore;
import io.switchboard.persistence.fleet.FleetQueries;
import io.switchboard.persistence.fleet.FleetSummary;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * The fleet's gauges, computed from the database by one cluster singleton (not per node, so a
 * cluster of N nodes neither runs N queries nor reports N copies): agents by connection state, by
 * health, by drift and by agent version (the top versions, the rest as {@code other}), and the age
 * of the oldest assignment a matching, connected agent has not applied yet. Only the node running
 * the singleton reports them; when it moves, the old node drops its series. Alerts sum them across
 * nodes ({@code sum(...)}) to ride over a handover.
 */
public final class FleetGauges {

  public sealed interface Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  private record Read(Measured measured, Throwable failure) implements Command {}

  /** What one tick reads: the fleet's summary and the oldest unapplied assignment's age. */
  private record Measured(FleetSummary summary, double oldestUnappliedSeconds) {}

  /** The version label of agents beyond the top versions. */
  public static final String OTHER = "other";

  private static final List<TransientGauge> ALL =
      List.of(
          FleetSignalMetrics.fleetAgents(),
          FleetSignalMetrics.fleetAgentsByHealth(),
          FleetSignalMetrics.fleetAgentsByDrift(),
          FleetSignalMetrics.fleetAgentsByVersion(),
          SwitchboardMetrics.assignmentOldestUnapplied());

  private FleetGauges() {}

  /** Starts the singleton (or a proxy to it); it reads the fleet every {@code interval}. */
  public static ActorRef<Command> init(
      ActorSystem<?> system, FleetQueries fleet, AssignmentStore assignments, Duration interval) {
    return ClusterSingleton.get(system)
        .init(SingletonActor.of(create(fleet, assignments, interval), "fleet-gauges"));
  }

  public static Behavior<Command> create(
      FleetQueries fleet, AssignmentStore assignments, Duration interval) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> {
                  timers.startTimerWithFixedDelay(Tick.INSTANCE, Duration.ZERO, interval);
                  return Behaviors.receive(Command.class)
                      .onMessageEquals(
                          Tick.INSTANCE,
                          () -> {
                            context.pipeToSelf(
                                fleet
                                    .summary()
                                    .thenCombine(
                                        assignments.oldestUnappliedSeconds(), Measured::new),
                                Read::new);
                            return Behaviors.same();
                          })
                      .onMessage(
                          Read.class,
                          read -> {
                            if (read.failure() != null) {
                              context
                                  .getLog()
                                  .warn(
                                      "Reading the fleet's gauges failed; they keep their last"
                                          + " values: {}",
                                      read.failure().toString());
                            } else {
                              report(read.measured().summary());
                              SwitchboardMetrics.assignmentOldestUnapplied()
                                  .set(Map.of(), read.measured().oldestUnappliedSeconds());
                            }
                            return Behaviors.same();
                          })
                      .onSignal(
                          PostStop.class,
                          stopped -> {
                            ALL.forEach(gauge -> gauge.removeIf(labels -> true));
                            return Behaviors.same();
                          })
                      .build();
                }));
  }

  /** Sets every series from one summary of the fleet. */
  static void report(FleetSummary fleet) {
    FleetSignalMetrics.fleetAgents().set(Map.of("state", "connected"), fleet.connected());
    FleetSignalMetrics.fleetAgents().set(Map.of("state", "disconnected"), fleet.disconnected());
    FleetSignalMetrics.fleetAgentsByHealth().set(Map.of("health", "healthy"), fleet.healthy());
    FleetSignalMetrics.fleetAgentsByHealth().set(Map.of("health", "unhealthy"), fleet.unhealthy());
    FleetSignalMetrics.fleetAgentsByHealth()
        .set(Map.of("health", "unknown"), fleet.total() - fleet.healthy() - fleet.unhealthy());
    FleetSignalMetrics.fleetAgentsByDrift().set(Map.of("drift", "drifted"), fleet.drifted());
    FleetSignalMetrics.fleetAgentsByDrift()
        .set(Map.of("drift", "in-sync"), fleet.total() - fleet.drifted());
    long listed = 0;
    for (FleetSummary.Group version : fleet.byVersion()) {
      FleetSignalMetrics.fleetAgentsByVersion()
          .set(Map.of("version", version.value()), version.count());
      listed += version.count();
    }
    FleetSignalMetrics.fleetAgentsByVersion().set(Map.of("version", OTHER), fleet.total() - listed);
    // A version that left the top ones goes: the label values stay bounded.
    Set<String> current =
        fleet.byVersion().stream().map(FleetSummary.Group::value).collect(Collectors.toSet());
    current.add(OTHER);
    FleetSignalMetrics.fleetAgentsByVersion()
        .removeIf(labels -> !current.contains(labels.get("version")));
  }
}
