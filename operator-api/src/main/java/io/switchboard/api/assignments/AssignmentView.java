package io.switchboard.api.assignments;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.dispatch.assignment.SelectorJson;
import io.switchboard.persistence.assignments.Assignment;

/**
 * An assignment as the API shows it: {@code previous_version} only while a version change rolls
 * out, the selector as canonical strings, and how many agents its selector matches now; its package
 * set ({@code []}: none), with {@code previous_packages} only while a change of it rolls out.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
record AssignmentView(
    @JsonProperty("name") String name,
    @JsonProperty("configuration") String configuration,
    @JsonProperty("version") Integer version,
    @JsonProperty("previous_version") Integer previousVersion,
    @JsonProperty("selector") ObjectNode selector,
    @JsonProperty("priority") int priority,
    @JsonProperty("description") String description,
    @JsonProperty("rollout_id") String rolloutId,
    @JsonProperty("rollout_state") String rolloutState,
    @JsonProperty("matched_agents") long matchedAgents,
    @JsonProperty("created_at") String createdAt,
    @JsonProperty("updated_at") String updatedAt,
    @JsonProperty("created_by") String createdBy,
    @JsonProperty("packages") JsonNode packages,
    @JsonProperty("previous_packages") JsonNode previousPackages,
    @JsonProperty("packages_rollout_id") String packagesRolloutId,
    @JsonProperty("packages_rollout_state") String packagesRolloutState) {

  static AssignmentView of(Assignment assignment, long matched, ObjectMapper json) {
    return new AssignmentView(
        assignment.name(),
        assignment.configuration(),
        assignment.version(),
        assignment.inFlight() ? assignment.previousVersion() : null,
        SelectorJson.render(assignment.selectorJson(), json),
        assignment.priority(),
        assignment.description(),
        assignment.rolloutId() == null ? null : assignment.rolloutId().toString(),
        assignment.rolloutState(),
        matched,
        assignment.createdAt().toString(),
        assignment.updatedAt().toString(),
        assignment.createdBy(),
        tree(assignment.packagesJson(), json),
        assignment.packagesInFlight() ? tree(assignment.previousPackagesJson(), json) : null,
        assignment.packagesRolloutId() == null ? null : assignment.packagesRolloutId().toString(),
        assignment.packagesRolloutState());
  }

  /** A stored package set as JSON; none is an empty list. */
  private static JsonNode tree(String stored, ObjectMapper json) {
    try {
      return stored == null ? json.createArrayNode() : json.readTree(stored);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("a stored package set is JSON", e);
    }
  }
}
