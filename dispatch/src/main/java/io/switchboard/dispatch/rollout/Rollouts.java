package io.switchboard.dispatch.rollout;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.dispatch.Dispatcher;
import io.switchboard.dispatch.components.ComponentCheck;
import io.switchboard.dispatch.packages.PackageSets;
import io.switchboard.persistence.agents.AgentRepository;
import io.switchboard.persistence.agents.Selector;
import io.switchboard.persistence.configurations.ConfigurationStore;
import io.switchboard.persistence.configurations.ConfigurationVersion;
import io.switchboard.persistence.configurations.VersionState;
import io.switchboard.persistence.rollouts.Rollout;
import io.switchboard.persistence.rollouts.RolloutState;
import io.switchboard.persistence.rollouts.RolloutStore;
import io.switchboard.persistence.rollouts.RolloutTarget;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What operators do with rollouts: create one (the selector's agents at that moment become its
 * targets, cut into batches), pause, resume, abort and roll back. The {@link RolloutDriver} moves
 * running ones along.
 */
public final class Rollouts {

  private static final Set<RolloutState> ACTIVE = Set.of(RolloutState.RUNNING, RolloutState.PAUSED);

  /** Packages need no components: a package set's check always passes. */
  private static final ComponentCheck.Result NO_COMPONENTS =
      new ComponentCheck.Result(Set.of(), List.of(), 0);

  /**
   * A rollout to create: of a configuration version, or (with {@code configuration} and {@code
   * version} null) of a package set. {@code force} creates a configuration's rollout even when some
   * targets lack components the configuration uses (the audit event says so, and what they lack).
   */
  public record Request(
      String configuration,
      Integer version,
      Selector selector,
      Strategy strategy,
      Gates gates,
      String actor,
      boolean force,
      List<PackageSets.Member> packages) {

    /** A rollout of a configuration version. */
    public Request(
        String configuration,
        int version,
        Selector selector,
        Strategy strategy,
        Gates gates,
        String actor) {
      this(configuration, version, selector, strategy, gates, actor, false, null);
    }
  }

  /** The outcome of an operator's action on rollouts. */
  public sealed interface Outcome {}

  public record Done(Rollout rollout) implements Outcome {}

  /** Not done, with an HTTP-like status (404, 409, 422) and why. */
  public record Refused(int status, String detail) implements Outcome {}

  /**
   * Not done (a 409): some targets lack components the configuration uses, and it was not forced.
   */
  public record MissingComponents(ComponentCheck.Result result) implements Outcome {}

  private final RolloutStore rollouts;
  private final ConfigurationStore configurations;
  private final AgentRepository agents;
  private final RolloutDispatch dispatch;
  private final ObjectMapper json;
  private final RolloutSettings settings;
  private final ActorRef<RolloutDriver.Command> driver;
  private final ComponentCheck componentCheck;
  private final PackageSets packageSets;

  /** {@code driver} is told of rollouts created or resumed, so it need not wait for its tick. */
  public Rollouts(
      RolloutStore rollouts,
      ConfigurationStore configurations,
      AgentRepository agents,
      Dispatcher dispatcher,
      RolloutSettings settings,
      ActorRef<RolloutDriver.Command> driver,
      PackageSets packageSets,
      ObjectMapper json,
      ComponentCheck componentCheck) {
    this.json = json;
    this.packageSets = packageSets;
    this.componentCheck = componentCheck;
    this.rollouts = rollouts;
    this.configurations = configurations;
    this.agents = agents;
    this.dispatch = new RolloutDispatch(dispatcher, settings, json);
    this.settings = settings;
    this.driver = driver;
  }

  public RolloutSettings settings() {
    return settings;
  }

  public CompletionStage<Outcome> create(Request request) {
    if (request.packages() != null) {
      return packageSets
          .resolve(request.packages())
          .thenCompose(
              resolved ->
                  resolved.problem() != null
                      ? refused(resolved.status(), resolved.problem())
                      : agents
                          .matching(request.selector())
                          .thenCompose(
                              targets ->
                                  targets.isEmpty()
                                      ? refused(422, "no agent matches the selector")
                                      : store(
                                          request,
                                          targets,
                                          Optional.empty(),
                                          NO_COMPONENTS,
                                          null)));
    }
    return configurations
        .findVersion(request.configuration(), request.version())
        .thenCompose(
            version -> {
              if (version.isEmpty()) {
                return refused(
                    404,
                    "no version "
                        + request.version()
                        + " of configuration "
                        + request.configuration());
              }
              if (version.get().state() != VersionState.PUBLISHED) {
                return refused(
                    409,
                    "only a published version can be rolled out; this one is "
                        + version.get().state());
              }
              return agents
                  .matching(request.selector())
                  .thenCompose(
                      targets ->
                          targets.isEmpty()
                              ? refused(422, "no agent matches the selector")
                              : componentCheck
                                  .check(targets, version.get())
                                  .thenCompose(check -> checked(request, targets, check)));
            });
  }

  /**
   * A rollout of an assignment's version change: to the given targets (the agents the assignment
   * wins), from the assignment's version before; checked for components like any rollout.
   */
  public CompletionStage<Outcome> createForAssignment(
      Request request, List<String> targets, int previous, String assignment) {
    return configurations
        .findVersion(request.configuration(), request.version())
        .thenCompose(version -> componentCheck.check(targets, version.orElseThrow()))
        .thenCompose(
            check ->
                !check.passed() && !request.force()
                    ? CompletableFuture.<Outcome>completedFuture(new MissingComponents(check))
                    : store(request, targets, Optional.of(previous), check, assignment));
  }

  /**
   * A rollout of an assignment's new package set to the given targets (the agents accepting
   * packages that the assignment wins); the set must resolve as any rollout's does.
   */
  public CompletionStage<Outcome> createForAssignmentPackages(
      Request request, List<String> targets, String assignment) {
    return packageSets
        .resolve(request.packages())
        .thenCompose(
            resolved ->
                resolved.problem() != null
                    ? refused(resolved.status(), resolved.problem())
                    : store(request, targets, Optional.empty(), NO_COMPONENTS, assignment));
  }

  private CompletionStage<Outcome> checked(
      Request request, List<String> targets, ComponentCheck.Result check) {
    if (!check.passed() && !request.force()) {
      return CompletableFuture.completedFuture(new MissingComponents(check));
    }
    return configurations
        .previousPublished(request.configuration(), request.version())
        .thenCompose(previous -> store(request, targets, previous, check, null));
  }

  private CompletionStage<Outcome> store(
      Request request,
      List<String> targets,
      Optional<Integer> previous,
      ComponentCheck.Result check,
      String assignment) {
    List<Integer> sizes = request.strategy().batchSizes(targets.size());
    List<Integer> batches = new ArrayList<>(targets.size());
    for (int batch = 0; batch < sizes.size(); batch++) {
      for (int i = 0; i < sizes.get(batch); i++) {
        batches.add(batch);
      }
    }
    Rollout rollout =
        new Rollout(
            UUID.randomUUID(),
            request.configuration(),
            request.version(),
            previous.orElse(null),
            toJson(request.selector().stored()),
            toJson(request.strategy()),
            toJson(request.gates().orElse(settings.defaultGates())),
            RolloutState.RUNNING,
            null,
            0,
            null,
            sizes.size(),
            null,
            request.actor(),
            null,
            request.packages() == null ? null : toJson(request.packages()),
            assignment);
    String forced =
        check.passed()
            ? null
            : toJson(
                Map.of(
                    "forced",
                    true,
                    "agents_missing_components",
                    check.agentsMissing(),
                    "missing_components",
                    check.missing()));
    return rollouts.create(rollout, targets, batches, forced).thenApply(this::running);
  }

  public CompletionStage<Outcome> pause(UUID id, String actor) {
    return move(
        id, Set.of(RolloutState.RUNNING), RolloutState.PAUSED, "paused by " + actor, false, actor);
  }

  /** Resuming also overrides the current batch's tripped gates: the operator has looked at it. */
  public CompletionStage<Outcome> resume(UUID id, String actor) {
    return move(
            id,
            Set.of(RolloutState.PAUSED),
            RolloutState.RUNNING,
            "resumed by " + actor,
            true,
            actor)
        .thenApply(
            outcome -> {
              if (outcome instanceof Done done) {
                running(done.rollout());
              }
              return outcome;
            });
  }

  private Outcome running(Rollout rollout) {
    driver.tell(RolloutDriver.StepNow.INSTANCE);
    return new Done(rollout);
  }

  public CompletionStage<Outcome> abort(UUID id, String actor) {
    return move(id, ACTIVE, RolloutState.ABORTED, "aborted by " + actor, false, actor);
  }

  /** Sends the previous version to every agent the rollout has reached so far. */
  public CompletionStage<Outcome> rollback(UUID id, String actor) {
    return rollouts
        .find(id)
        .thenCompose(
            found -> {
              if (found.isEmpty()) {
                return refused(404, "no rollout " + id);
              }
              Rollout rollout = found.get();
              if (rollout.movesPackages()) {
                return refused(
                    409,
                    "a rollout of packages has no previous version to go back to: roll out the"
                        + " packages the agents had before");
              }
              if (rollout.previousVersion() == null) {
                return refused(
                    409,
                    "version "
                        + rollout.version()
                        + " is the first published one: nothing to roll back to");
              }
              return configurations
                  .findVersion(rollout.configuration(), rollout.previousVersion())
                  .thenCompose(
                      previous ->
                          move(
                                  id,
                                  Set.of(
                                      RolloutState.RUNNING,
                                      RolloutState.PAUSED,
                                      RolloutState.COMPLETED),
                                  RolloutState.ROLLED_BACK,
                                  "rolled back to version "
                                      + rollout.previousVersion()
                                      + " by "
                                      + actor,
                                  false,
                                  actor)
                              .thenCompose(
                                  outcome ->
                                      outcome instanceof Done
                                          ? sendBack(rollout, previous.orElseThrow(), outcome)
                                          : CompletableFuture.completedFuture(outcome)));
            });
  }

  private CompletionStage<Outcome> sendBack(
      Rollout rollout, ConfigurationVersion previous, Outcome outcome) {
    return rollouts
        .targets(rollout.id(), rollout.currentBatch(), true)
        .thenCompose(
            targets ->
                dispatch.send(
                    rollout,
                    previous,
                    targets.stream()
                        .filter(target -> target.envelopeId() != null)
                        .map(RolloutTarget::instanceUid)
                        .toList(),
                    "rollback"))
        .thenApply(sent -> outcome);
  }

  private CompletionStage<Outcome> move(
      UUID id,
      Set<RolloutState> from,
      RolloutState to,
      String detail,
      boolean acknowledge,
      String actor) {
    return rollouts
        .transition(id, from, to, detail, acknowledge, actor)
        .thenCompose(moved -> rollouts.find(id).thenApply(found -> outcome(id, found, moved, to)));
  }

  private static Outcome outcome(UUID id, Optional<Rollout> found, boolean moved, RolloutState to) {
    if (found.isEmpty()) {
      return new Refused(404, "no rollout " + id);
    }
    return moved
        ? new Done(found.get())
        : new Refused(409, "the rollout is " + found.get().state() + "; it cannot become " + to);
  }

  private static CompletionStage<Outcome> refused(int status, String detail) {
    return CompletableFuture.completedFuture(new Refused(status, detail));
  }

  private String toJson(Object value) {
    try {
      return json.writeValueAsString(Objects.requireNonNull(value));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("rollout settings write as JSON", e);
    }
  }
}
