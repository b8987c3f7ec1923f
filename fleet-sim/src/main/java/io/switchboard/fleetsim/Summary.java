package io.switchboard.fleetsim;

import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The fleet's numbers at one moment: printed as a progress line during a run and as JSON at its
 * end.
 *
 * @param agentsConnected agents that got an answer from the server at least once
 * @param connectedNow agents holding a connection that the server has answered on
 * @param allConnectedAfter from the start until every agent had connected once (the connect storm)
 */
public record Summary(
    int agentsRequested,
    int agentsConnected,
    int connectedNow,
    int maxConcurrentlyConnected,
    Optional<Duration> allConnectedAfter,
    Duration elapsed,
    long messagesSent,
    long messagesReceived,
    long reconnects,
    long retryAftersHonoured,
    long remoteConfigsApplied,
    long remoteConfigsFailed,
    long commandsReceived,
    SortedMap<String, Long> errors) {

  public Summary {
    errors = new TreeMap<>(errors);
  }

  public long totalErrors() {
    return errors.values().stream().mapToLong(Long::longValue).sum();
  }

  public String progressLine() {
    return String.format(
        "fleet-sim %5ds  connected %d/%d (max %d)  sent %d  received %d  reconnects %d  retry-afters %d  errors %d",
        elapsed.toSeconds(),
        connectedNow,
        agentsRequested,
        maxConcurrentlyConnected,
        messagesSent,
        messagesReceived,
        reconnects,
        retryAftersHonoured,
        totalErrors());
  }

  public String toJson() {
    StringBuilder json = new StringBuilder("{\n");
    field(json, "agents_requested", agentsRequested);
    field(json, "agents_connected", agentsConnected);
    field(json, "max_concurrently_connected", maxConcurrentlyConnected);
    field(json, "all_connected_after_ms", allConnectedAfter.map(d -> Long.toString(d.toMillis())).orElse("null"));
    field(json, "duration_ms", elapsed.toMillis());
    field(json, "messages_sent", messagesSent);
    field(json, "messages_received", messagesReceived);
    field(json, "reconnects", reconnects);
    field(json, "retry_afters_honoured", retryAftersHonoured);
    field(json, "remote_configs_applied", remoteConfigsApplied);
    field(json, "remote_configs_failed", remoteConfigsFailed);
    field(json, "commands_received", commandsReceived);
    json.append("  \"errors\": {");
    Iterator<Map.Entry<String, Long>> entries = errors.entrySet().iterator();
    while (entries.hasNext()) {
      Map.Entry<String, Long> entry = entries.next();
      json.append(string(entry.getKey())).append(": ").append(entry.getValue()).append(entries.hasNext() ? ", " : "");
    }
    return json.append("}\n}\n").toString();
  }

  private static void field(StringBuilder json, String name, Object value) {
    json.append("  ").append(string(name)).append(": ").append(value).append(",\n");
  }

  /** A JSON string literal; error kinds may carry any text, so quote it properly. */
  private static String string(String text) {
    StringBuilder quoted = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      switch (c) {
        case '"' -> quoted.append("\\\"");
        case '\\' -> quoted.append("\\\\");
        default -> {
          if (c < 0x20) {
            quoted.append(String.format("\\u%04x", (int) c));
          } else {
            quoted.append(c);
          }
        }
      }
    }
    return quoted.append('"').toString();
  }
}
