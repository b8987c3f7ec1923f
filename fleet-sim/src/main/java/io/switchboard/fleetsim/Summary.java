package io.switchboard.fleetsim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
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

  private static final ObjectMapper JSON = new ObjectMapper();

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
    ObjectNode json = JSON.createObjectNode();
    json.put("agents_requested", agentsRequested);
    json.put("agents_connected", agentsConnected);
    json.put("max_concurrently_connected", maxConcurrentlyConnected);
    json.put("all_connected_after_ms", allConnectedAfter.map(Duration::toMillis).orElse(null));
    json.put("duration_ms", elapsed.toMillis());
    json.put("messages_sent", messagesSent);
    json.put("messages_received", messagesReceived);
    json.put("reconnects", reconnects);
    json.put("retry_afters_honoured", retryAftersHonoured);
    json.put("remote_configs_applied", remoteConfigsApplied);
    json.put("remote_configs_failed", remoteConfigsFailed);
    json.put("commands_received", commandsReceived);
    ObjectNode errorCounts = json.putObject("errors");
    errors.forEach(errorCounts::put);
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of numbers and strings always serializes", e);
    }
  }
}
