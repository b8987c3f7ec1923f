package io.switchboard.dispatch.rollout;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.cluster.CborSerializable;
import io.switchboard.dispatch.Dispatcher;
import io.switchboard.dispatch.packages.PackageSets;
import io.switchboard.observability.SwitchboardMetrics;
import io.switchboard.persistence.configurations.ConfigurationStore;
import io.switchboard.persistence.rollouts.BatchProgress;
import io.switchboard.persistence.rollouts.Rollout;
import io.switchboard.persistence.rollouts.RolloutState;
import io.switchboard.persistence.rollouts.RolloutStore;
import io.switchboard.persistence.rollouts.RolloutTarget;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * Moves running rollouts along, one step per tick: dispatches the current batch, pauses the rollout
 * when the batch trips a health gate, and moves to the next batch (or completes) once every agent
 * of the batch has an outcome. A step that moved a rollout to its next batch is followed at once by
 * one that starts it. All of a rollout's progress is in PostgreSQL, so the driver keeps no rollout
 * state of its own: a cluster singleton (under the singleton lease), it carries on where it stopped
 * after a restart or on another node.
 *
 * <p>The progress it reads to judge batches also feeds the rollout gauges ({@link RolloutGauges}),
 * so graphing a running rollout costs no query of its own (a paused one's progress is read each
 * tick).
 */
public final class RolloutDriver {

  /** Who the audit log names for the driver's own moves. */
  static final String ACTOR = "switchboard/rollout-driver";

  public sealed interface Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  /**
   * A rollout was created or resumed: step now rather than at the next tick, so a fan-out starts
   * within milliseconds. Ignored while a step is under way (the next tick sees the change). It
   * crosses nodes (the API that took the operator's action may not run the driver), so it is
   * serializable.
   */
  public enum StepNow implements Command, CborSerializable {
    INSTANCE
  }

  /** A step ended: what it saw, or why it failed. */
  private record Stepped(Observed observed, Throwable failure) implements Command {}

  /**
   * The running and paused rollouts a step found, the progress it read of some of them, and whether
   * it moved any to its next batch (which the driver then starts at once, so each batch costs one
   * tick, not two).
   */
  private record Observed(
      List<Rollout> active, Map<UUID, List<BatchProgress>> progress, boolean advanced) {}

  /** What a step did with one rollout: the progress it read, if any, and whether it advanced it. */
  private record Observation(Optional<List<BatchProgress>> progress, boolean advanced) {
    static final Observation STARTED_BATCH = new Observation(Optional.empty(), false);
  }

  private static final Set<RolloutState> ACTIVE = Set.of(RolloutState.RUNNING, RolloutState.PAUSED);

  private final RolloutStore rollouts;
  private final ConfigurationStore configurations;
  private final RolloutDispatch dispatch;
  private final BatchSpans batchSpans;
  private final PackageSets packageSets;

  private final ObjectMapper json;

  /** Told of each assignment's rollout that completes (agents that joined meanwhile catch up). */
  private final Consumer<Rollout> completed;

  private RolloutDriver(
      RolloutStore rollouts,
      ConfigurationStore configurations,
      RolloutDispatch dispatch,
      BatchSpans batchSpans,
      PackageSets packageSets,
      ObjectMapper json,
      Consumer<Rollout> completed) {
    this.json = json;
    this.batchSpans = batchSpans;
    this.packageSets = packageSets;
    this.completed = completed;
    this.rollouts = rollouts;
    this.configurations = configurations;
    this.dispatch = dispatch;
  }

  public static ActorRef<Command> init(
      ActorSystem<?> system,
      RolloutStore rollouts,
      ConfigurationStore configurations,
      Dispatcher dispatcher,
      RolloutSettings settings,
      PackageSets packageSets,
      ObjectMapper json,
      Consumer<Rollout> completed) {
    return ClusterSingleton.get(system)
        .init(
            SingletonActor.of(
                create(
                    rollouts, configurations, dispatcher, settings, packageSets, json, completed),
                "rollout-driver"));
  }

  public static Behavior<Command> create(
      RolloutStore rollouts,
      ConfigurationStore configurations,
      Dispatcher dispatcher,
      RolloutSettings settings,
      PackageSets packageSets,
      ObjectMapper json,
      Consumer<Rollout> completed) {
    RolloutDriver driver =
        new RolloutDriver(
            rollouts,
            configurations,
            new RolloutDispatch(dispatcher, settings, json),
            new BatchSpans(dispatcher.tracing()),
            packageSets,
            json,
            completed);
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> {
                  timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.tick());
                  return driver.idle(context);
                }));
  }

  /** Waiting for the next tick. */
  private Behavior<Command> idle(ActorContext<Command> context) {
    return Behaviors.receive(Command.class)
        .onMessageEquals(Tick.INSTANCE, () -> step(context))
        .onMessageEquals(StepNow.INSTANCE, () -> step(context))
        .onMessage(Stepped.class, stepped -> Behaviors.same())
        .onSignal(PostStop.class, signal -> stopped())
        .build();
  }

  private Behavior<Command> step(ActorContext<Command> context) {
    context.pipeToSelf(stepAll(), Stepped::new);
    return stepping(context);
  }

  /** A step is under way; ticks meanwhile are skipped, so steps never overlap. */
  private Behavior<Command> stepping(ActorContext<Command> context) {
    return Behaviors.receive(Command.class)
        .onMessageEquals(Tick.INSTANCE, Behaviors::same)
        .onMessageEquals(StepNow.INSTANCE, Behaviors::same)
        .onMessage(
            Stepped.class,
            stepped -> {
              if (stepped.failure() != null) {
                context
                    .getLog()
                    .warn(
                        "Rollout step failed, retrying at the next tick: {}",
                        stepped.failure().toString());
              } else {
                report(stepped.observed());
                batchSpans.retainOnly(
                    stepped.observed().active().stream()
                        .map(Rollout::id)
                        .collect(Collectors.toSet()));
                if (stepped.observed().advanced()) {
                  context.getSelf().tell(StepNow.INSTANCE);
                }
              }
              return idle(context);
            })
        .onSignal(PostStop.class, signal -> stopped())
        .build();
  }

  /** The driver stops (or moves to another node): its open batch spans end with it. */
  private Behavior<Command> stopped() {
    batchSpans.retainOnly(Set.of());
    return dropGauges();
  }

  /** Updates the gauges from what a step saw and drops those of rollouts that ended. */
  private static void report(Observed observed) {
    RolloutGauges.retainOnly(
        observed.active().stream().map(Rollout::id).collect(Collectors.toSet()));
    for (Rollout rollout : observed.active()) {
      List<BatchProgress> progress = observed.progress().get(rollout.id());
      if (progress != null) {
        RolloutGauges.report(rollout, progress);
      }
    }
  }

  /** The driver moves to another node or stops: another node reports the rollouts from now on. */
  private static Behavior<Command> dropGauges() {
    RolloutGauges.retainOnly(Set.of());
    return Behaviors.same();
  }

  private CompletionStage<Observed> stepAll() {
    return rollouts
        .inStates(ACTIVE)
        .thenCompose(
            active -> {
              Map<UUID, List<BatchProgress>> progress = new HashMap<>();
              AtomicBoolean advanced = new AtomicBoolean();
              CompletionStage<Void> all = CompletableFuture.completedFuture(null);
              for (Rollout rollout : active) {
                all =
                    all.thenCompose(done -> observe(rollout))
                        .thenAccept(
                            observation -> {
                              observation
                                  .progress()
                                  .ifPresent(batches -> progress.put(rollout.id(), batches));
                              if (observation.advanced()) {
                                advanced.set(true);
                              }
                            });
              }
              return all.thenApply(
                  done -> new Observed(active, Map.copyOf(progress), advanced.get()));
            });
  }

  /**
   * Steps a running rollout; reads a paused one's progress, which its open envelopes still move.
   */
  private CompletionStage<Observation> observe(Rollout rollout) {
    return rollout.state() == RolloutState.RUNNING
        ? step(rollout)
        : rollouts
            .progress(rollout.id())
            .thenApply(progress -> new Observation(Optional.of(progress), false));
  }

  /** Starts the current batch if it has not started yet, or else judges it. */
  private CompletionStage<Observation> step(Rollout rollout) {
    return rollouts
        .targets(rollout.id(), rollout.currentBatch(), false)
        .thenCompose(
            targets -> {
              List<String> undispatched =
                  targets.stream()
                      .filter(target -> target.envelopeId() == null)
                      .map(RolloutTarget::instanceUid)
                      .toList();
              return undispatched.isEmpty()
                  ? judge(rollout)
                  : startBatch(rollout, undispatched)
                      .thenApply(started -> Observation.STARTED_BATCH);
            });
  }

  private CompletionStage<Void> startBatch(Rollout rollout, List<String> agents) {
    if (rollout.movesPackages()) {
      return packageSets
          .resolve(members(rollout))
          .thenCompose(
              resolved -> {
                if (resolved.problem() != null) {
                  // A package deleted since the rollout was made: nothing to offer; say so.
                  return move(rollout, RolloutState.PAUSED, "paused: " + resolved.problem());
                }
                return dispatch
                    .sendPackages(
                        rollout,
                        resolved.packages(),
                        packageSets.message(resolved.packages()),
                        agents,
                        "apply")
                    .thenCompose(sent -> record(rollout.id(), sent));
              });
    }
    return configurations
        .findVersion(rollout.configuration(), rollout.version())
        .thenCompose(
            version ->
                dispatch.send(
                    rollout,
                    version.orElseThrow(),
                    agents,
                    "apply",
                    batchSpans.started(rollout, agents.size())))
        .thenCompose(sent -> record(rollout.id(), sent));
  }

  private CompletionStage<Void> record(UUID rollout, Map<String, UUID> sent) {
    return rollouts.recordEnvelopes(rollout, sent).thenApply(recorded -> null);
  }

  /** The batch's gates, then whether it is done; the progress read for that. */
  private CompletionStage<Observation> judge(Rollout rollout) {
    return rollouts
        .progress(rollout.id())
        .thenCompose(
            progress ->
                decide(rollout, progress)
                    .thenApply(advanced -> new Observation(Optional.of(progress), advanced)));
  }

  /** Pauses, completes or advances the rollout as its current batch stands; true if it advanced. */
  private CompletionStage<Boolean> decide(Rollout rollout, List<BatchProgress> progress) {
    BatchProgress batch = progress.get(rollout.currentBatch());
    String tripped =
        Integer.valueOf(rollout.currentBatch()).equals(rollout.acknowledgedBatch())
            ? null
            : gates(rollout).tripped(batch);
    if (tripped != null) {
      batchSpans.judged(rollout, batch, "paused: " + tripped);
      return move(rollout, RolloutState.PAUSED, tripped).thenApply(moved -> false);
    }
    if (!batch.settled()) {
      return CompletableFuture.completedFuture(false);
    }
    if (rollout.currentBatch() + 1 < rollout.batchCount()) {
      batchSpans.judged(rollout, batch, "next batch");
      return rollouts.nextBatch(rollout.id(), rollout.currentBatch());
    }
    batchSpans.judged(rollout, batch, "rollout completed");
    return move(rollout, RolloutState.COMPLETED, "every batch done")
        .thenApply(
            moved -> {
              if (rollout.assignment() != null) {
                completed.accept(rollout);
              }
              return false;
            });
  }

  private CompletionStage<Void> move(Rollout rollout, RolloutState to, String detail) {
    return rollouts
        .transition(rollout.id(), Set.of(RolloutState.RUNNING), to, detail, false, ACTOR)
        .thenApply(
            moved -> {
              if (moved) {
                SwitchboardMetrics.rolloutTransitions(to.name()).increment();
              }
              return null;
            });
  }

  private List<PackageSets.Member> members(Rollout rollout) {
    try {
      return List.of(json.readValue(rollout.packagesJson(), PackageSets.Member[].class));
    } catch (IOException e) {
      throw new IllegalStateException("a stored package set is JSON", e);
    }
  }

  private Gates gates(Rollout rollout) {
    try {
      return json.readValue(rollout.gatesJson(), Gates.class);
    } catch (IOException e) {
      throw new IllegalStateException("stored gates are JSON", e);
    }
  }
}
