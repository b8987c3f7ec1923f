package io.switchboard.cli.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.switchboard.cli.client.CliException;
import io.switchboard.cli.client.ExitCode;
import io.switchboard.cli.commands.ConfigFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A fleet declared as code: configurations (with their files), assignments and webhooks, as {@code
 * switchboard apply} reads them from YAML. Reading is strict: an unknown key or a missing field is
 * an error naming where it is, since a typo that was silently ignored would leave the fleet
 * differently from what the file says.
 */
record FleetFile(
    List<ConfigurationSpec> configurations,
    List<AssignmentSpec> assignments,
    List<WebhookSpec> webhooks) {

  /** A configuration and the files its current version must hold ({@code config_map}). */
  record ConfigurationSpec(String name, String description, ObjectNode configMap) {}

  /**
   * An assignment; {@code version} null means the configuration's current published version (the
   * one this apply publishes, when its files changed). {@code rollout} holds the strategy and gates
   * a version change (or a package set change) moves with (may be null). {@code packages} is the
   * package set it offers ({@code [{name, version}]}; null: left as the server has it).
   */
  record AssignmentSpec(
      String name,
      String configuration,
      Integer version,
      int priority,
      String description,
      JsonNode selector,
      JsonNode rollout,
      JsonNode packages) {}

  /** A webhook; its secret comes from the environment variable {@code secretVariable} (or none). */
  record WebhookSpec(
      String name,
      String url,
      List<String> events,
      Integer disconnectedAfterMinutes,
      Boolean enabled,
      String secretVariable) {}

  static FleetFile read(Path file, ObjectMapper json) {
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
    } catch (IOException e) {
      throw invalid(file + " is not readable YAML: " + e.getMessage());
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      root = json.createObjectNode();
    }
    Reader reader = new Reader(file.toAbsolutePath().getParent(), json);
    reader.keys(root, "", Set.of("configurations", "assignments", "webhooks"));
    List<ConfigurationSpec> configurations = new ArrayList<>();
    for (JsonNode node : reader.list(root, "configurations")) {
      configurations.add(reader.configuration(node));
    }
    List<AssignmentSpec> assignments = new ArrayList<>();
    for (JsonNode node : reader.list(root, "assignments")) {
      assignments.add(reader.assignment(node));
    }
    List<WebhookSpec> webhooks = new ArrayList<>();
    for (JsonNode node : reader.list(root, "webhooks")) {
      webhooks.add(reader.webhook(node));
    }
    unique("configuration", configurations.stream().map(ConfigurationSpec::name).toList());
    unique("assignment", assignments.stream().map(AssignmentSpec::name).toList());
    unique("webhook", webhooks.stream().map(WebhookSpec::name).toList());
    return new FleetFile(configurations, assignments, webhooks);
  }

  private static void unique(String kind, List<String> names) {
    Set<String> seen = new HashSet<>();
    for (String name : names) {
      if (!seen.add(name)) {
        throw invalid("the " + kind + " " + name + " is declared twice");
      }
    }
  }

  static CliException invalid(String message) {
    return new CliException(ExitCode.USAGE, message);
  }

  /** Reads nodes into specs, naming the place of every problem. */
  private record Reader(Path directory, ObjectMapper json) {

    ConfigurationSpec configuration(JsonNode node) {
      String name = text(node, "name", "configurations[]", true);
      String where = "configuration " + name;
      keys(node, where, Set.of("name", "description", "files"));
      JsonNode files = node.path("files");
      if (!files.isObject() || files.isEmpty()) {
        throw invalid(where + " needs files: a map of file name to a path or {body, content_type}");
      }
      ObjectNode configMap = json.createObjectNode();
      for (Iterator<Map.Entry<String, JsonNode>> it = files.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> file = it.next();
        configMap.set(file.getKey(), file(where, file.getKey(), file.getValue()));
      }
      return new ConfigurationSpec(name, text(node, "description", where, false), configMap);
    }

    private ObjectNode file(String where, String name, JsonNode file) {
      if (file.isTextual()) {
        Path path = directory.resolve(file.asText());
        try {
          return ConfigFiles.entry(json, ConfigFiles.contentType(name), Files.readAllBytes(path));
        } catch (IOException e) {
          throw invalid(where + ": cannot read " + path + " for " + name + ": " + e.getMessage());
        }
      }
      String at = where + " file " + name;
      keys(file, at, Set.of("body", "content_type"));
      String body = text(file, "body", at, true);
      String contentType = text(file, "content_type", at, false);
      return ConfigFiles.entry(
          json,
          contentType == null ? ConfigFiles.contentType(name) : contentType,
          body.getBytes(StandardCharsets.UTF_8));
    }

    AssignmentSpec assignment(JsonNode node) {
      String name = text(node, "name", "assignments[]", true);
      String where = "assignment " + name;
      keys(
          node,
          where,
          Set.of(
              "name",
              "configuration",
              "version",
              "priority",
              "description",
              "selector",
              "rollout",
              "packages"));
      JsonNode selector = node.path("selector");
      if (!selector.isMissingNode()) {
        keys(selector, where + " selector", Set.of("labels", "attributes"));
      }
      JsonNode rollout = node.path("rollout");
      if (!rollout.isMissingNode()) {
        keys(rollout, where + " rollout", Set.of("strategy", "gates"));
      }
      return new AssignmentSpec(
          name,
          text(node, "configuration", where, true),
          integer(node, "version", where),
          node.has("priority") ? integer(node, "priority", where) : 0,
          text(node, "description", where, false),
          selector.isMissingNode() ? json.createObjectNode() : selector,
          rollout.isMissingNode() ? null : rollout,
          packages(node.path("packages"), where));
    }

    /** {@code [{name, version}]}, or null when not declared. */
    private JsonNode packages(JsonNode packages, String where) {
      if (packages.isMissingNode() || packages.isNull()) {
        return null;
      }
      if (!packages.isArray()) {
        throw invalid(where + " packages is a list of {name, version}");
      }
      for (JsonNode pkg : packages) {
        keys(pkg, where + " packages[]", Set.of("name", "version"));
        if (!pkg.path("name").isTextual() || !pkg.path("version").isValueNode()) {
          throw invalid(where + " packages[] needs a name and a version");
        }
        ((ObjectNode) pkg).put("version", pkg.path("version").asText());
      }
      return packages;
    }

    WebhookSpec webhook(JsonNode node) {
      String name = text(node, "name", "webhooks[]", true);
      String where = "webhook " + name;
      keys(
          node,
          where,
          Set.of(
              "name", "url", "events", "disconnected_after_minutes", "enabled", "secret_from_env"));
      List<String> events = new ArrayList<>();
      for (JsonNode event : node.path("events")) {
        events.add(event.asText());
      }
      if (events.isEmpty()) {
        throw invalid(where + " needs events");
      }
      JsonNode enabled = node.path("enabled");
      if (!enabled.isMissingNode() && !enabled.isBoolean()) {
        throw invalid(where + ": enabled must be true or false");
      }
      return new WebhookSpec(
          name,
          text(node, "url", where, true),
          events,
          integer(node, "disconnected_after_minutes", where),
          enabled.isMissingNode() ? null : enabled.asBoolean(),
          text(node, "secret_from_env", where, false));
    }

    List<JsonNode> list(JsonNode root, String field) {
      JsonNode items = root.path(field);
      if (items.isMissingNode() || items.isNull()) {
        return List.of();
      }
      if (!items.isArray()) {
        throw invalid(field + " must be a list");
      }
      List<JsonNode> list = new ArrayList<>();
      items.forEach(list::add);
      return list;
    }

    void keys(JsonNode node, String where, Set<String> allowed) {
      if (!node.isObject()) {
        throw invalid((where.isEmpty() ? "the file" : where) + " must be a map");
      }
      for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
        String key = names.next();
        if (!allowed.contains(key)) {
          throw invalid(
              (where.isEmpty() ? "the file" : where)
                  + " has an unknown key "
                  + key
                  + " (known: "
                  + String.join(", ", allowed.stream().sorted().toList())
                  + ")");
        }
      }
    }

    private static String text(JsonNode node, String field, String where, boolean required) {
      JsonNode value = node.path(field);
      if (value.isMissingNode() || value.isNull()) {
        if (required) {
          throw invalid(where + " needs " + field);
        }
        return null;
      }
      if (!value.isValueNode()) {
        throw invalid(where + ": " + field + " must be text");
      }
      return value.asText();
    }

    private static Integer integer(JsonNode node, String field, String where) {
      JsonNode value = node.path(field);
      if (value.isMissingNode() || value.isNull()) {
        return null;
      }
      if (!value.isInt()) {
        throw invalid(where + ": " + field + " must be a whole number");
      }
      return value.asInt();
    }
  }
}
