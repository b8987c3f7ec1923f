package io.switchboard.dispatch.assignment;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.dispatch.RemoteConfigs;
import io.switchboard.dispatch.rollout.Gates;
import io.switchboard.dispatch.rollout.Rollouts;
import io.switchboard.dispatch.rollout.Strategy;
import io.switchboard.opamp.json.ConfigMapJson;
import io.switchboard.persistence.agents.Selector;
import io.switchboard.persistence.assignments.Assignment;
import io.switchboard.persistence.assignments.AssignmentResolution;
import io.switchboard.persistence.assignments.AssignmentStore;
import io.switchboard.persistence.assignments.AssignmentWrite;
import io.switchboard.persistence.configurations.ConfigurationStore;
import io.switchboard.persistence.configurations.ConfigurationVersion;
import io.switchboard.persistence.configurations.VersionState;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What operators do with assignments. Creating one, or changing its selector or priority, applies
 * assignments to the agents they now win (set-based, in the background); changing its version is a
 * rollout over the agents it wins, with the strategy and gates given (default: all at once), during
 * which agents that join get the previous version. Deleting one moves its agents to their next
 * winning assignment; an agent no other assignment matches keeps its config.
 */
public final class Assignments {

  private static final Logger log = LoggerFactory.getLogger(Assignments.class);

  /** An assignment to make. */
  public record Create(
      String name,
      String configuration,
      int version,
      Selector selector,
      int priority,
      String description,
      String actor) {}

  /** Changes to an assignment; null leaves a setting as it is. */
  public record Change(
      Integer version,
      Integer priority,
      Selector selector,
      String description,
      Strategy strategy,
      Gates gates,
      String actor) {}

  /** The outcome of an operator's action on assignments. */
  public sealed interface Outcome {}

  public record Done(Assignment assignment) implements Outcome {}

  /** Not done, with an HTTP-like status (400, 404, 409) and why. */
  public record Refused(int status, String detail) implements Outcome {}

  private final AssignmentStore store;
  private final AssignmentResolution resolution;
  private final ConfigurationStore configurations;
  private final Rollouts rollouts;
  private final AssignmentApply apply;
  private final ObjectMapper json;

  public Assignments(
      AssignmentStore store,
      AssignmentResolution resolution,
      ConfigurationStore configurations,
      Rollouts rollouts,
      AssignmentApply apply,
      ObjectMapper json) {
    this.store = store;
    this.resolution = resolution;
    this.configurations = configurations;
    this.rollouts = rollouts;
    this.apply = apply;
    this.json = json;
  }

  public AssignmentApply applier() {
    return apply;
  }

  public CompletionStage<Outcome> create(Create request) {
    return published(request.configuration(), request.version())
        .thenCompose(
            found -> {
              if (found instanceof Refused refused) {
                return done(refused);
              }
              ConfigurationVersion version = ((Published) found).version();
              AssignmentWrite write =
                  new AssignmentWrite(
                      request.name(),
                      request.configuration(),
                      request.version(),
                      null,
                      SelectorJson.stored(request.selector(), json),
                      request.priority(),
                      request.description(),
                      null,
                      message(version),
                      null);
              return store
                  .create(write, request.actor())
                  .thenApply(
                      created -> {
                        if (created.isEmpty()) {
                          return new Refused(
                              409, "an assignment named " + request.name() + " exists");
                        }
                        inBackground(apply.apply(created.get(), request.actor()), request.name());
                        return new Done(created.get());
                      });
            });
  }

  public CompletionStage<Outcome> update(String name, Change change) {
    return store
        .find(name)
        .thenCompose(
            found -> {
              if (found.isEmpty()) {
                return done(new Refused(404, "no assignment " + name));
              }
              Assignment before = found.get();
              Selector selector =
                  change.selector() != null
                      ? change.selector()
                      : SelectorJson.read(readTree(before.selectorJson()));
              boolean newVersion = change.version() != null && change.version() != before.version();
              boolean reach =
                  (change.selector() != null
                          && !SelectorJson.stored(change.selector(), json)
                              .equals(SelectorJson.stored(current(before), json)))
                      || (change.priority() != null && change.priority() != before.priority());
              boolean described =
                  change.description() != null
                      && !change.description().equals(before.description());
              if (!newVersion && !reach && !described) {
                return done(new Done(before));
              }
              return settings(before, change, selector)
                  .thenCompose(
                      updated -> {
                        if (!(updated instanceof Done done) || !newVersion) {
                          if (updated instanceof Done && reach) {
                            inBackground(apply.applyAll(change.actor()), name);
                          }
                          return done(updated);
                        }
                        return changeVersion(done.assignment(), change, selector);
                      });
            });
  }

  /** Selector, priority and description, written as they are asked (the version stays). */
  private CompletionStage<Outcome> settings(Assignment before, Change change, Selector selector) {
    return store
        .updateSettings(
            before.name(),
            SelectorJson.stored(selector, json),
            change.priority() != null ? change.priority() : before.priority(),
            change.description() != null ? change.description() : before.description(),
            change.actor())
        .thenApply(this::doneOrGone);
  }

  /**
   * A rollout of the new version over the agents the assignment wins now; the assignment then names
   * it, and agents that join get the version before until it completes.
   */
  private CompletionStage<Outcome> changeVersion(
      Assignment before, Change change, Selector selector) {
    return published(before.configuration(), change.version())
        .thenCompose(
            found -> {
              if (found instanceof Refused refused) {
                return done(refused);
              }
              ConfigurationVersion next = ((Published) found).version();
              return resolution
                  .winners(before.name(), selector)
                  .thenCompose(
                      targets -> {
                        if (targets.isEmpty()) {
                          return switchTo(before, next, null, null, change.actor());
                        }
                        return rollouts
                            .createForAssignment(
                                new Rollouts.Request(
                                    before.configuration(),
                                    change.version(),
                                    selector,
                                    change.strategy() == null
                                        ? Strategy.ALL_AT_ONCE
                                        : change.strategy(),
                                    change.gates() == null
                                        ? new Gates(null, null, null)
                                        : change.gates(),
                                    change.actor()),
                                targets,
                                before.version(),
                                before.name())
                            .thenCompose(
                                outcome -> {
                                  if (outcome instanceof Rollouts.Refused refused) {
                                    return done(new Refused(refused.status(), refused.detail()));
                                  }
                                  if (outcome instanceof Rollouts.MissingComponents missing) {
                                    return done(
                                        new Refused(
                                            409,
                                            "agents lack components the configuration uses: "
                                                + missing.result().missing()));
                                  }
                                  return switchTo(
                                      before,
                                      next,
                                      ((Rollouts.Done) outcome).rollout().id(),
                                      before.version(),
                                      change.actor());
                                });
                      });
            });
  }

  private CompletionStage<Outcome> switchTo(
      Assignment before,
      ConfigurationVersion next,
      java.util.UUID rollout,
      Integer previous,
      String actor) {
    CompletionStage<byte[]> previousMessage =
        previous == null
            ? CompletableFuture.completedFuture(null)
            : configurations
                .findVersion(before.configuration(), previous)
                .thenApply(version -> message(version.orElseThrow()));
    return previousMessage
        .thenCompose(
            previousBytes ->
                store.update(
                    new AssignmentWrite(
                        before.name(),
                        before.configuration(),
                        next.version(),
                        previous,
                        before.selectorJson(),
                        before.priority(),
                        before.description(),
                        rollout,
                        message(next),
                        previousBytes),
                    actor))
        .thenApply(
            updated -> {
              Outcome outcome = doneOrGone(updated);
              if (rollout == null && outcome instanceof Done done) {
                inBackground(apply.apply(done.assignment(), actor), before.name());
              }
              return outcome;
            });
  }

  /**
   * Deletes the assignment; false when there was none. The agents it gave their desired config to
   * are decided again, before this completes: each gets its next winning assignment's config, and
   * one that no assignment matches keeps its config but names no assignment.
   */
  public CompletionStage<Boolean> delete(String name, String actor) {
    return store
        .delete(name, actor)
        .thenCompose(
            agents ->
                agents.isEmpty()
                    ? CompletableFuture.completedFuture(false)
                    : apply.followStored(agents.get()).thenApply(reached -> true));
  }

  /** Clears an agent's override; its winning assignment applies again. False: it had none. */
  public CompletionStage<Boolean> clearOverride(String instanceUid, String actor) {
    return store
        .clearOverride(instanceUid, actor)
        .thenCompose(
            cleared ->
                cleared
                    ? apply.follow(instanceUid).thenApply(followed -> true)
                    : CompletableFuture.completedFuture(false));
  }

  private record Published(ConfigurationVersion version) implements Outcome {}

  private CompletionStage<Outcome> published(String configuration, int number) {
    return configurations
        .findVersion(configuration, number)
        .thenApply(
            version -> {
              if (version.isEmpty()) {
                return new Refused(
                    404, "no version " + number + " of configuration " + configuration);
              }
              if (version.get().state() != VersionState.PUBLISHED) {
                return new Refused(
                    400,
                    "only a published version can be assigned; version "
                        + number
                        + " is "
                        + version.get().state());
              }
              return new Published(version.get());
            });
  }

  private static byte[] message(ConfigurationVersion version) {
    try {
      return RemoteConfigs.message(
              ConfigMapJson.fromJson(new ObjectMapper().readTree(version.configMapJson())))
          .toByteArray();
    } catch (java.io.IOException e) {
      throw new IllegalStateException("a stored config map is JSON", e);
    }
  }

  private Selector current(Assignment assignment) {
    return SelectorJson.read(readTree(assignment.selectorJson()));
  }

  private com.fasterxml.jackson.databind.JsonNode readTree(String text) {
    try {
      return json.readTree(text);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("a stored selector is JSON", e);
    }
  }

  private Outcome doneOrGone(Optional<Assignment> updated) {
    return updated.<Outcome>map(Done::new).orElseGet(() -> new Refused(404, "no such assignment"));
  }

  private static void inBackground(CompletionStage<Integer> applied, String name) {
    applied.whenComplete(
        (count, failure) -> {
          if (failure != null) {
            log.warn(
                "Applying assignment {} failed; it applies again at the next change",
                name,
                failure);
          } else {
            log.debug("Assignment {} reached {} more agents", name, count);
          }
        });
  }

  private static CompletionStage<Outcome> done(Outcome outcome) {
    return CompletableFuture.completedFuture(Objects.requireNonNull(outcome));
  }
}
