package io.switchboard.cli.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.cli.apply.Change.Action;
import io.switchboard.cli.apply.FleetFile.WebhookSpec;
import io.switchboard.cli.client.ApiClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The change that makes one declared webhook exist as the file says. A secret is never read back
 * from the server, so it is set when the webhook is created and otherwise left alone.
 */
final class WebhookPlan {

  private final ApiClient api;
  private final ObjectMapper json;
  private final Map<String, String> env;

  WebhookPlan(ApiClient api, ObjectMapper json, Map<String, String> env) {
    this.api = api;
    this.json = json;
    this.env = env;
  }

  Change change(WebhookSpec spec) {
    String secret = null;
    if (spec.secretVariable() != null) {
      secret = env.get(spec.secretVariable());
      if (secret == null || secret.isEmpty()) {
        throw FleetFile.invalid(
            "webhook "
                + spec.name()
                + ": the environment variable "
                + spec.secretVariable()
                + " is not set");
      }
    }
    Optional<JsonNode> existing = api.find(path(spec.name()));
    if (existing.isEmpty()) {
      String given = secret;
      return new Change(
          Action.CREATE,
          "webhook",
          spec.name(),
          spec.url() + " for " + String.join(",", spec.events()),
          () -> {
            ObjectNode body = json.createObjectNode().put("name", spec.name());
            fill(body, spec, true, true, true, true);
            if (given != null) {
              body.put("secret", given);
            }
            JsonNode created = api.post("/api/webhooks", body);
            return given == null ? "secret (shown once): " + created.path("secret").asText() : null;
          });
    }
    JsonNode current = existing.get();
    boolean url = !spec.url().equals(current.path("url").asText());
    boolean events = !new TreeSet<>(spec.events()).equals(events(current));
    boolean after =
        spec.disconnectedAfterMinutes() != null
            && spec.disconnectedAfterMinutes()
                != current.path("disconnected_after_minutes").asInt();
    boolean enabled =
        spec.enabled() != null && spec.enabled() != current.path("enabled").asBoolean(true);
    List<String> differences = new ArrayList<>();
    if (url) {
      differences.add("url");
    }
    if (events) {
      differences.add("events");
    }
    if (after) {
      differences.add("disconnected_after_minutes");
    }
    if (enabled) {
      differences.add(spec.enabled() ? "enabled" : "disabled");
    }
    if (differences.isEmpty()) {
      return Change.unchanged("webhook", spec.name(), spec.url());
    }
    return new Change(
        Action.UPDATE,
        "webhook",
        spec.name(),
        String.join(", ", differences),
        () -> {
          ObjectNode body = json.createObjectNode();
          fill(body, spec, url, events, after, enabled);
          api.put(path(spec.name()), body);
          return null;
        });
  }

  private static void fill(
      ObjectNode body,
      WebhookSpec spec,
      boolean url,
      boolean events,
      boolean after,
      boolean enabled) {
    if (url) {
      body.put("url", spec.url());
    }
    if (events) {
      ArrayNode list = body.putArray("events");
      spec.events().forEach(list::add);
    }
    if (after && spec.disconnectedAfterMinutes() != null) {
      body.put("disconnected_after_minutes", spec.disconnectedAfterMinutes());
    }
    if (enabled && spec.enabled() != null) {
      body.put("enabled", spec.enabled());
    }
  }

  private static Set<String> events(JsonNode webhook) {
    Set<String> events = new TreeSet<>();
    webhook.path("events").forEach(event -> events.add(event.asText()));
    return events;
  }

  static String path(String name) {
    return "/api/webhooks/" + ApiClient.segment(name);
  }
}
