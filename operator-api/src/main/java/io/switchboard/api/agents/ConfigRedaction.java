package io.switchboard.api.agents;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Hides the values of configured keys (passwords, tokens, ...) in an agent's effective config
 * before a VIEWER sees it: effective configs often hold exporter credentials. Works on the text of
 * each config file, line by line, for {@code key: value} (YAML) and {@code "key": value} (JSON); a
 * base64 body (not text) is withheld whole.
 */
final class ConfigRedaction {

  static final String REDACTED = "<redacted>";

  private static final Pattern KEY_VALUE =
      Pattern.compile("^(\\s*(?:-\\s+)?[\"']?)([A-Za-z0-9_.-]+)([\"']?\\s*:\\s*)(\\S.*?)(,?\\s*)$");

  private final Set<String> keys;

  ConfigRedaction(Iterable<String> keys) {
    this.keys =
        java.util.stream.StreamSupport.stream(keys.spliterator(), false)
            .map(key -> key.toLowerCase(Locale.ROOT))
            .collect(Collectors.toUnmodifiableSet());
  }

  boolean active() {
    return !keys.isEmpty();
  }

  /** The effective config JSON with the configured keys' values replaced. */
  String redact(String effectiveConfigJson, ObjectMapper json) {
    if (effectiveConfigJson == null || keys.isEmpty()) {
      return effectiveConfigJson;
    }
    try {
      JsonNode config = json.readTree(effectiveConfigJson);
      JsonNode files = config.path("config_map");
      if (files.isObject()) {
        files
            .fields()
            .forEachRemaining(
                file -> {
                  if (file.getValue() instanceof ObjectNode body) {
                    if ("base64".equals(body.path("body_encoding").asText())) {
                      body.put("body", "");
                      body.put("redacted", true);
                    } else if (body.path("body").isTextual()) {
                      body.put("body", redactText(body.path("body").asText()));
                    }
                  }
                });
      }
      return json.writeValueAsString(config);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a stored effective config is JSON", e);
    }
  }

  String redactText(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (String line : text.split("\n", -1)) {
      Matcher matcher = KEY_VALUE.matcher(line);
      if (matcher.matches() && keys.contains(matcher.group(2).toLowerCase(Locale.ROOT))) {
        out.append(matcher.group(1))
            .append(matcher.group(2))
            .append(matcher.group(3))
            .append('"')
            .append(REDACTED)
            .append('"')
            .append(matcher.group(5));
      } else {
        out.append(line);
      }
      out.append('\n');
    }
    return out.substring(0, out.length() - 1);
  }
}
