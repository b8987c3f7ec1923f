package io.switchboard.dispatch.assignment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.dispatch.RemoteConfigs;
import io.switchboard.dispatch.packages.PackageSets;
import io.switchboard.dispatch.rollout.Gates;
import io.switchboard.dispatch.rollout.Rollouts;
import io.switchboard.dispatch.rollout.Strategy;
import io.switchboard.opamp.json.ConfigMapJson;
import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.persistence.agents.Selector;
import io.switchboard.persistence.assignments.Assignment;
import io.switchboard.persistence.assignments.AssignmentPackages;
import io.switchboard.persistence.assignments.AssignmentResolution;
import io.switchboard.persistence.assignments.AssignmentStore;
import io.switchboard.persistence.configurations.ConfigurationVersion;
import java.io.IOException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The package sets assignments offer. Setting one on a new assignment (or on one that wins no agent
 * yet) takes effect at once; changing it on an assignment that wins agents is a rollout of the new
 * set over those that accept packages, through the same batches and gates as a version change,
 * while agents that join meanwhile get the set before. An empty set means none: the assignment
 * offers nothing more, and its agents keep what they were offered.
 */
public final class AssignmentPackageSets {

  /** A set resolved and ready to store, or why not (an HTTP-like status). */
  public record Prepared(AssignmentPackages packages, int status, String problem) {}

  private final AssignmentStore store;
  private final AssignmentResolution resolution;
  private final PackageSets packageSets;
  private final Rollouts rollouts;
  private final ObjectMapper json;

  public AssignmentPackageSets(
      AssignmentStore store,
      AssignmentResolution resolution,
      PackageSets packageSets,
      Rollouts rollouts,
      ObjectMapper json) {
    this.store = store;
    this.resolution = resolution;
    this.packageSets = packageSets;
    this.rollouts = rollouts;
    this.json = json;
  }

  /** What is wrong with a set as an operator gives it (empty: none), or null. */
  public static String problem(List<PackageSets.Member> members) {
    return members == null || members.isEmpty() ? null : PackageSets.problem(members);
  }

  /** Why a change cannot be made to an assignment of packages only, or null. */
  static String packagesOnlyProblem(
      Assignment before, Integer version, List<PackageSets.Member> packages) {
    if (before.configuration() != null) {
      return null;
    }
    if (packages != null && packages.isEmpty()) {
      return "the assignment "
          + before.name()
          + " offers packages only: it cannot offer none (delete it instead)";
    }
    return version == null
        ? null
        : "the assignment " + before.name() + " offers packages only: it has no version";
  }

  /** The ServerToAgent that carries a configuration version, as an assignment stores it. */
  static byte[] configMessage(ConfigurationVersion version) {
    try {
      return RemoteConfigs.message(
              ConfigMapJson.fromJson(new ObjectMapper().readTree(version.configMapJson())))
          .toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException("a stored config map is JSON", e);
    }
  }

  /** Finds the set's packages and makes its offer; empty or null members: none. */
  public CompletionStage<Prepared> prepare(List<PackageSets.Member> members) {
    if (members == null || members.isEmpty()) {
      return CompletableFuture.completedFuture(new Prepared(AssignmentPackages.NONE, 200, null));
    }
    return packageSets
        .resolve(members)
        .thenApply(
            resolved -> {
              if (resolved.problem() != null) {
                return new Prepared(null, resolved.status(), resolved.problem());
              }
              ServerToAgent message = packageSets.message(resolved.packages());
              return new Prepared(
                  new AssignmentPackages(
                      write(members),
                      HexFormat.of()
                          .formatHex(
                              message.getPackagesAvailable().getAllPackagesHash().toByteArray()),
                      message.toByteArray(),
                      null),
                  200,
                  null);
            });
  }

  /** Whether {@code members} differs from the set the assignment offers now. */
  public boolean differs(Assignment assignment, List<PackageSets.Member> members) {
    List<PackageSets.Member> now = members(assignment.packagesJson());
    return !Objects.equals(now, members == null ? List.of() : members);
  }

  /**
   * Moves the assignment to the prepared set: at once when it wins no agent that accepts packages
   * or the set is none, else by a rollout with {@code strategy} and {@code gates}. Completes with
   * the outcome and, when nothing rolls out, whether agents must be applied to now.
   */
  public CompletionStage<Assignments.Outcome> change(
      Assignment before,
      Selector selector,
      List<PackageSets.Member> members,
      Prepared prepared,
      Strategy strategy,
      Gates gates,
      String actor) {
    if (prepared.packages().packagesJson() == null) {
      return set(before.name(), prepared.packages(), actor);
    }
    return resolution
        .packageWinners(before.name(), selector)
        .thenCompose(
            targets -> {
              if (targets.isEmpty()) {
                return set(before.name(), prepared.packages(), actor);
              }
              return rollouts
                  .createForAssignmentPackages(
                      new Rollouts.Request(
                          null,
                          null,
                          selector,
                          strategy == null ? Strategy.ALL_AT_ONCE : strategy,
                          gates == null ? new Gates(null, null, null) : gates,
                          actor,
                          false,
                          members),
                      targets,
                      before.name())
                  .thenCompose(
                      outcome -> {
                        if (outcome instanceof Rollouts.Refused refused) {
                          return CompletableFuture.completedFuture(
                              new Assignments.Refused(refused.status(), refused.detail()));
                        }
                        UUID rollout = ((Rollouts.Done) outcome).rollout().id();
                        AssignmentPackages packages = prepared.packages();
                        return set(
                            before.name(),
                            new AssignmentPackages(
                                packages.packagesJson(),
                                packages.hash(),
                                packages.message(),
                                rollout),
                            actor);
                      });
            });
  }

  /** Stores the set without a rollout. */
  public CompletionStage<Assignments.Outcome> set(
      String name, AssignmentPackages packages, String actor) {
    return store
        .setPackages(name, packages, actor)
        .thenApply(
            updated ->
                updated
                    .<Assignments.Outcome>map(Assignments.Done::new)
                    .orElseGet(() -> new Assignments.Refused(404, "no assignment " + name)));
  }

  /** The set a stored {@code [{name, version}]} names (null: none, an empty list). */
  public List<PackageSets.Member> members(String packagesJson) {
    if (packagesJson == null) {
      return List.of();
    }
    try {
      return List.of(json.readValue(packagesJson, PackageSets.Member[].class));
    } catch (IOException e) {
      throw new IllegalStateException("a stored package set is JSON", e);
    }
  }

  private String write(List<PackageSets.Member> members) {
    try {
      return json.writeValueAsString(members);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a package set writes as JSON", e);
    }
  }
}
