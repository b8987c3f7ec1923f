package io.switchboard.dispatch.components;

import io.switchboard.persistence.components.ComponentStore;
import io.switchboard.persistence.configurations.ConfigurationVersion;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Whether the agents a configuration version is bound for can run it: the component types its
 * collector YAML uses ({@link CollectorComponents}) against each agent's reported available
 * components. Agents that never reported components are not held against it. Rollouts use it before
 * they are stored; anything else that sends a version to a set of agents (assignments) can call
 * {@link #check} the same way and refuse on {@link Result#missing()}, unless forced.
 */
public final class ComponentCheck {

  /**
   * What a check found: the components the version uses, the first agents lacking some (at most the
   * listed limit), and how many agents lack some in all.
   */
  public record Result(
      Set<String> required, List<ComponentStore.AgentMissing> missing, long agentsMissing) {

    public boolean passed() {
      return agentsMissing == 0;
    }

    /** One line for an operator: how many agents lack what, starting with the first. */
    public String summary() {
      if (passed()) {
        return "every targeted agent that reported its components has the ones the config uses";
      }
      ComponentStore.AgentMissing first = missing.get(0);
      return agentsMissing
          + " targeted agent(s) lack components the configuration uses, e.g. agent "
          + first.instanceUid()
          + " lacks "
          + String.join(", ", first.missing());
    }
  }

  /** The most agents a refusal names: enough to act on, small enough for any response. */
  public static final int LISTED = 50;

  private final ComponentStore components;
  private final int listed;

  /** {@code listed}: the most agents a result names (the count covers them all). */
  public ComponentCheck(ComponentStore components, int listed) {
    this.components = components;
    this.listed = listed;
  }

  /** Checks {@code version} against {@code targets} (instance uids), in one statement. */
  public CompletionStage<Result> check(Collection<String> targets, ConfigurationVersion version) {
    Set<String> required = CollectorComponents.ofConfigMap(version.configMapJson());
    if (required.isEmpty() || targets.isEmpty()) {
      return CompletableFuture.completedFuture(new Result(required, List.of(), 0));
    }
    return components
        .missing(targets, required, listed)
        .thenApply(found -> new Result(required, found.agents(), found.total()));
  }
}
