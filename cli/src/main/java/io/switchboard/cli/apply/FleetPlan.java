package io.switchboard.cli.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.cli.apply.Change.Action;
import io.switchboard.cli.apply.FleetFile.ConfigurationSpec;
import io.switchboard.cli.client.ApiClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntSupplier;

/**
 * Compares a fleet file with what the server holds and lists the changes that make the server
 * match: configurations first (so that an assignment can name the version they publish), then
 * webhooks, then assignments, then, with {@code prune}, deletions of what the file no longer
 * declares. Nothing is changed while planning; every read happens before the first write.
 */
final class FleetPlan {

  private final ApiClient api;
  private final ObjectMapper json;
  private final String commit;

  /** The version each configuration in the file has once its change ran (or has already). */
  private final Map<String, Integer> versions = new HashMap<>();

  private FleetPlan(ApiClient api, ObjectMapper json, String commit) {
    this.api = api;
    this.json = json;
    this.commit = commit;
  }

  static List<Change> of(
      FleetFile file,
      ApiClient api,
      ObjectMapper json,
      Map<String, String> env,
      boolean prune,
      String commit) {
    FleetPlan plan = new FleetPlan(api, json, commit);
    List<Change> changes = new ArrayList<>();
    Set<String> published = new HashSet<>();
    for (ConfigurationSpec configuration : file.configurations()) {
      Change change = plan.configuration(configuration);
      if (change.changes()) {
        published.add(configuration.name());
      }
      changes.add(change);
    }
    WebhookPlan webhooks = new WebhookPlan(api, json, env);
    file.webhooks().forEach(webhook -> changes.add(webhooks.change(webhook)));
    AssignmentPlan assignments = new AssignmentPlan(api, json, plan::version, published);
    file.assignments().forEach(assignment -> changes.add(assignments.change(assignment)));
    if (prune) {
      Set<String> declaredAssignments = new HashSet<>();
      file.assignments().forEach(assignment -> declaredAssignments.add(assignment.name()));
      changes.addAll(
          prunes(api, "/api/assignments", "assignments", "assignment", declaredAssignments));
      Set<String> declaredWebhooks = new HashSet<>();
      file.webhooks().forEach(webhook -> declaredWebhooks.add(webhook.name()));
      changes.addAll(prunes(api, "/api/webhooks", "webhooks", "webhook", declaredWebhooks));
    }
    return changes;
  }

  /** The configuration's version after the planned changes ran: known once they have. */
  private IntSupplier version(String configuration) {
    return () -> {
      Integer version = versions.get(configuration);
      if (version != null) {
        return version;
      }
      return latestPublished(api.get(configurationPath(configuration)))
          .orElseThrow(
              () ->
                  FleetFile.invalid(
                      "the configuration "
                          + configuration
                          + " has no published version to assign"));
    };
  }

  private Change configuration(ConfigurationSpec spec) {
    Optional<JsonNode> existing = api.find(configurationPath(spec.name()));
    if (existing.isEmpty()) {
      return new Change(
          Action.CREATE,
          "configuration",
          spec.name(),
          "with version 1, published",
          () -> {
            ObjectNode body = json.createObjectNode().put("name", spec.name());
            if (spec.description() != null) {
              body.put("description", spec.description());
            }
            api.post("/api/configurations", body);
            versions.put(spec.name(), publish(spec));
            return null;
          });
    }
    Optional<Integer> latest = latestPublished(existing.get());
    if (latest.isPresent()) {
      JsonNode current = api.get(configurationPath(spec.name()) + "/versions/" + latest.get());
      if (sameFiles(current.path("config_map"), spec.configMap())) {
        versions.put(spec.name(), latest.get());
        return Change.unchanged("configuration", spec.name(), "version " + latest.get());
      }
    }
    int next = 1;
    for (JsonNode version : existing.get().path("versions")) {
      next = Math.max(next, version.path("version").asInt() + 1);
    }
    return new Change(
        Action.PUBLISH,
        "configuration",
        spec.name(),
        "version "
            + next
            + (latest.isPresent() ? " (files changed since " + latest.get() + ")" : ""),
        () -> {
          versions.put(spec.name(), publish(spec));
          return null;
        });
  }

  /** A new version with the file's files, published at once; its number. */
  private int publish(ConfigurationSpec spec) {
    ObjectNode body = json.createObjectNode();
    body.set("config_map", spec.configMap());
    if (commit != null) {
      body.put("source_commit", commit);
    }
    String path = configurationPath(spec.name()) + "/versions";
    int version = api.post(path, body).path("version").asInt();
    api.post(path + "/" + version + "/publish", null);
    return version;
  }

  static Optional<Integer> latestPublished(JsonNode configuration) {
    Integer latest = null;
    for (JsonNode version : configuration.path("versions")) {
      if ("PUBLISHED".equals(version.path("state").asText())) {
        int number = version.path("version").asInt();
        latest = latest == null ? number : Math.max(latest, number);
      }
    }
    return Optional.ofNullable(latest);
  }

  /** The same files with the same bytes and content types, however each body was encoded. */
  static boolean sameFiles(JsonNode stored, JsonNode declared) {
    if (stored.size() != declared.size()) {
      return false;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = declared.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> file = it.next();
      JsonNode other = stored.path(file.getKey());
      if (other.isMissingNode()
          || !Objects.equals(
              other.path("content_type").asText(""),
              file.getValue().path("content_type").asText(""))
          || !Arrays.equals(bytes(other), bytes(file.getValue()))) {
        return false;
      }
    }
    return true;
  }

  private static byte[] bytes(JsonNode file) {
    String body = file.path("body").asText("");
    return "base64".equals(file.path("body_encoding").asText())
        ? Base64.getDecoder().decode(body)
        : body.getBytes(StandardCharsets.UTF_8);
  }

  private static List<Change> prunes(
      ApiClient api, String path, String field, String kind, Set<String> declared) {
    List<Change> changes = new ArrayList<>();
    for (JsonNode item : api.get(path).path(field)) {
      String name = item.path("name").asText();
      if (!declared.contains(name)) {
        changes.add(
            new Change(
                Action.DELETE,
                kind,
                name,
                "not in the file (--prune)",
                () -> {
                  api.delete(path + "/" + ApiClient.segment(name));
                  return null;
                }));
      }
    }
    return changes;
  }

  static String configurationPath(String name) {
    return "/api/configurations/" + ApiClient.segment(name);
  }
}
