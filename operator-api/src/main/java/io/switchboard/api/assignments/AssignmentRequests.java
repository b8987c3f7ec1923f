package io.switchboard.api.assignments;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.switchboard.api.rollouts.SelectorBody;
import io.switchboard.dispatch.assignment.AssignmentPackageSets;
import io.switchboard.dispatch.packages.PackageSets;
import io.switchboard.dispatch.rollout.Gates;
import io.switchboard.dispatch.rollout.Strategy;
import java.util.List;
import java.util.regex.Pattern;

/** The bodies of {@code POST /api/assignments} and {@code PUT /api/assignments/{name}}. */
final class AssignmentRequests {

  /** What names an assignment: it is its identifier in paths and in agents' views. */
  static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

  /** Longest description kept. */
  static final int MAX_DESCRIPTION = 1024;

  private AssignmentRequests() {}

  record Create(
      @JsonProperty("name") String name,
      @JsonProperty("configuration") String configuration,
      @JsonProperty("version") Integer version,
      @JsonProperty("selector") SelectorBody selector,
      @JsonProperty("priority") Integer priority,
      @JsonProperty("description") String description,
      @JsonProperty("packages") List<PackageSets.Member> packages) {

    String problem() {
      if (name == null || !NAME.matcher(name).matches()) {
        return "name is required: lower-case letters, digits, '.', '_' and '-', at most 63,"
            + " starting with a letter or digit";
      }
      if ((configuration == null) != (version == null)) {
        return "configuration and version go together";
      }
      if (configuration == null && (packages == null || packages.isEmpty())) {
        return "an assignment offers a configuration (configuration and version), packages, or"
            + " both";
      }
      if (selector == null) {
        return "selector is required ({} selects every agent)";
      }
      return common(description, selector, packages);
    }
  }

  record Change(
      @JsonProperty("version") Integer version,
      @JsonProperty("priority") Integer priority,
      @JsonProperty("selector") SelectorBody selector,
      @JsonProperty("description") String description,
      @JsonProperty("strategy") Strategy strategy,
      @JsonProperty("gates") Gates gates,
      @JsonProperty("packages") List<PackageSets.Member> packages) {

    String problem() {
      if (strategy != null && strategy.problem() != null) {
        return strategy.problem();
      }
      if (gates != null && gates.problem() != null) {
        return gates.problem();
      }
      return common(description, selector, packages);
    }
  }

  private static String common(
      String description, SelectorBody selector, List<PackageSets.Member> packages) {
    String packagesProblem = AssignmentPackageSets.problem(packages);
    if (packagesProblem != null) {
      return packagesProblem;
    }
    if (description != null && description.length() > MAX_DESCRIPTION) {
      return "description is at most " + MAX_DESCRIPTION + " characters";
    }
    return selector == null ? null : selector.problem();
  }
}
