package io.switchboard.cli.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.cli.apply.Change.Action;
import io.switchboard.cli.apply.FleetFile.AssignmentSpec;
import io.switchboard.cli.client.ApiClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.IntSupplier;

/** The change that makes one declared assignment exist as the file says. */
final class AssignmentPlan {

  private final ApiClient api;
  private final ObjectMapper json;
  private final Function<String, IntSupplier> versionOf;
  private final Set<String> published;

  /**
   * {@code versionOf} answers a configuration's version once the plan's earlier changes ran; {@code
   * published} names the configurations this apply publishes a new version of.
   */
  AssignmentPlan(
      ApiClient api,
      ObjectMapper json,
      Function<String, IntSupplier> versionOf,
      Set<String> published) {
    this.api = api;
    this.json = json;
    this.versionOf = versionOf;
    this.published = published;
  }

  Change change(AssignmentSpec spec) {
    boolean publishing = spec.version() == null && published.contains(spec.configuration());
    IntSupplier version =
        spec.version() != null ? spec::version : versionOf.apply(spec.configuration());
    String versionText =
        publishing ? "the version this apply publishes" : Integer.toString(version.getAsInt());
    Optional<JsonNode> existing = api.find(path(spec.name()));
    if (existing.isEmpty()) {
      return new Change(
          Action.CREATE,
          "assignment",
          spec.name(),
          spec.configuration() + " version " + versionText + ", priority " + spec.priority(),
          () -> {
            ObjectNode body =
                json.createObjectNode()
                    .put("name", spec.name())
                    .put("configuration", spec.configuration())
                    .put("version", version.getAsInt())
                    .put("priority", spec.priority());
            if (spec.description() != null) {
              body.put("description", spec.description());
            }
            body.set("selector", spec.selector());
            if (spec.packages() != null) {
              body.set("packages", spec.packages());
            }
            api.post("/api/assignments", body);
            return null;
          });
    }
    JsonNode current = existing.get();
    if (!spec.configuration().equals(current.path("configuration").asText())) {
      throw FleetFile.invalid(
          "the assignment "
              + spec.name()
              + " binds the configuration "
              + current.path("configuration").asText()
              + " on the server, not "
              + spec.configuration()
              + ": an assignment keeps its configuration, so give it another name");
    }
    int currentVersion = current.path("version").asInt();
    boolean versionChanges = publishing || version.getAsInt() != currentVersion;
    boolean priorityChanges = spec.priority() != current.path("priority").asInt();
    boolean descriptionChanges =
        spec.description() != null
            && !Objects.equals(spec.description(), current.path("description").asText(""));
    boolean selectorChanges =
        !SelectorTerms.of(spec.selector()).equals(SelectorTerms.of(current.path("selector")));
    boolean packagesChange =
        spec.packages() != null
            && !packageSet(spec.packages()).equals(packageSet(current.path("packages")));
    List<String> differences = new ArrayList<>();
    if (versionChanges) {
      differences.add("version " + currentVersion + " -> " + versionText + " (a rollout)");
    }
    if (packagesChange) {
      differences.add("packages (a rollout)");
    }
    if (priorityChanges) {
      differences.add("priority " + current.path("priority").asInt() + " -> " + spec.priority());
    }
    if (descriptionChanges) {
      differences.add("description");
    }
    if (selectorChanges) {
      differences.add("selector");
    }
    if (differences.isEmpty()) {
      return Change.unchanged(
          "assignment", spec.name(), spec.configuration() + " version " + currentVersion);
    }
    return new Change(
        Action.UPDATE,
        "assignment",
        spec.name(),
        String.join(", ", differences),
        () -> {
          ObjectNode body = json.createObjectNode();
          if (versionChanges) {
            body.put("version", version.getAsInt());
          }
          if (packagesChange) {
            body.set("packages", spec.packages());
          }
          if ((versionChanges || packagesChange) && spec.rollout() != null) {
            spec.rollout().fields().forEachRemaining(e -> body.set(e.getKey(), e.getValue()));
          }
          if (priorityChanges) {
            body.put("priority", spec.priority());
          }
          if (descriptionChanges) {
            body.put("description", spec.description());
          }
          if (selectorChanges) {
            body.set("selector", spec.selector());
          }
          JsonNode changed = api.put(path(spec.name()), body);
          String rollout = changed.path("rollout_id").asText("");
          String packagesRollout = changed.path("packages_rollout_id").asText("");
          if (packagesChange && !packagesRollout.isEmpty()) {
            return "rollout " + packagesRollout;
          }
          return versionChanges && !rollout.isEmpty() ? "rollout " + rollout : null;
        });
  }

  /** A package set as {@code name version} entries, in any order. */
  private static Set<String> packageSet(JsonNode packages) {
    Set<String> set = new java.util.HashSet<>();
    for (JsonNode pkg : packages) {
      set.add(pkg.path("name").asText() + " " + pkg.path("version").asText());
    }
    return set;
  }

  static String path(String name) {
    return "/api/assignments/" + ApiClient.segment(name);
  }
}
