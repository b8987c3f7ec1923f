package io.switchboard.api.webhooks;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A webhook as an operator sends it: all fields for {@code POST}, any of them for {@code PUT}. Its
 * checks answer what is wrong, or null.
 */
record WebhookRequest(
    @JsonProperty("name") String name,
    @JsonProperty("url") String url,
    @JsonProperty("events") List<String> events,
    @JsonProperty("disconnected_after_minutes") Integer disconnectedAfterMinutes,
    @JsonProperty("enabled") Boolean enabled,
    @JsonProperty("secret") String secret) {

  static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
  static final Set<String> EVENTS =
      Set.of(
          "agent.disconnected",
          "agent.unhealthy",
          "rollout.paused",
          "rollout.completed",
          "rollout.aborted");
  static final int MAX_URL = 2048;
  static final int MAX_MINUTES = 7 * 24 * 60;
  static final int MIN_SECRET = 16;
  static final int MAX_SECRET = 256;

  /** What is wrong with a new webhook, or null. */
  String problemCreating(boolean allowPlainHttp) {
    if (name == null || !NAME.matcher(name).matches()) {
      return "name must match " + NAME.pattern();
    }
    if (url == null) {
      return "url is required";
    }
    if (events == null) {
      return "events is required: some of " + EVENTS;
    }
    if (enabled != null) {
      return "a new webhook is enabled; change enabled with PUT";
    }
    return problemChanging(allowPlainHttp);
  }

  /** What is wrong with the fields given (absent ones are fine), or null. */
  String problemChanging(boolean allowPlainHttp) {
    if (url != null) {
      String problem = urlProblem(allowPlainHttp);
      if (problem != null) {
        return problem;
      }
    }
    if (events != null) {
      if (events.isEmpty()) {
        return "events must name at least one of " + EVENTS;
      }
      for (String event : events) {
        if (!EVENTS.contains(event)) {
          return "unknown event '" + event + "'; events are " + EVENTS;
        }
      }
    }
    if (disconnectedAfterMinutes != null
        && (disconnectedAfterMinutes < 1 || disconnectedAfterMinutes > MAX_MINUTES)) {
      return "disconnected_after_minutes must be between 1 and " + MAX_MINUTES;
    }
    if (secret != null && (secret.length() < MIN_SECRET || secret.length() > MAX_SECRET)) {
      return "secret must be " + MIN_SECRET + " to " + MAX_SECRET + " characters";
    }
    return null;
  }

  private String urlProblem(boolean allowPlainHttp) {
    if (url.length() > MAX_URL) {
      return "url must be at most " + MAX_URL + " characters";
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      return "url is not a URL: " + e.getMessage();
    }
    String scheme =
        uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
    if (!scheme.equals("https") && !(allowPlainHttp && scheme.equals("http"))) {
      return allowPlainHttp
          ? "url must be http:// or https://"
          : "url must be https:// (plain http needs SWITCHBOARD_WEBHOOKS_ALLOW_PLAIN_HTTP=on)";
    }
    if (uri.getHost() == null || uri.getHost().isBlank()) {
      return "url must name a host";
    }
    if (uri.getUserInfo() != null) {
      return "url must not carry credentials; deliveries are signed with the secret";
    }
    return null;
  }

  /** The events without repeats, in the order given. */
  List<String> distinctEvents() {
    return events == null ? null : events.stream().distinct().toList();
  }
}
