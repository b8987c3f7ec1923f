package io.switchboard.fleetsim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
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

  /** The numbers before any agent has done anything, for a fleet not yet started. */
  public static Summary beforeStart(int agentsRequested) {
    return new Summary(
        agentsRequested,
        0,
        0,
        0,
        Optional.empty(),
        Duration.ZERO,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        new TreeMap<>());
  }

  /** Reads what {@link #toJson()} wrote (another simulator's {@code --report}). */
  public static Summary fromJson(String text) {
    try {
      JsonNode json = JSON.readTree(text);
      SortedMap<String, Long> errors = new TreeMap<>();
      json.required("errors")
          .fields()
          .forEachRemaining(error -> errors.put(error.getKey(), error.getValue().asLong()));
      JsonNode allConnected = json.required("all_connected_after_ms");
      return new Summary(
          json.required("agents_requested").asInt(),
          json.required("agents_connected").asInt(),
          json.required("connected_now").asInt(),
          json.required("max_concurrently_connected").asInt(),
          allConnected.isNull()
              ? Optional.empty()
              : Optional.of(Duration.ofMillis(allConnected.asLong())),
          Duration.ofMillis(json.required("duration_ms").asLong()),
          json.required("messages_sent").asLong(),
          json.required("messages_received").asLong(),
          json.required("reconnects").asLong(),
          json.required("retry_afters_honoured").asLong(),
          json.required("remote_configs_applied").asLong(),
          json.required("remote_configs_failed").asLong(),
          json.required("commands_received").asLong(),
          errors);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new IllegalArgumentException("not a fleet-sim summary: " + e.getMessage(), e);
    }
  }

  /**
   * One fleet run by several simulators: counts add up; every agent was connected once the slowest
   * simulator's were, and the run lasted as long as the longest. {@code maxConcurrentlyConnected}
   * becomes the sum of each simulator's most, an upper bound: their peaks need not coincide.
   */
  public static Summary combine(List<Summary> parts) {
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("no summaries to combine");
    }
    Optional<Duration> allConnectedAfter =
        parts.stream().allMatch(part -> part.allConnectedAfter().isPresent())
            ? parts.stream()
                .map(part -> part.allConnectedAfter().orElseThrow())
                .max(Duration::compareTo)
            : Optional.empty();
    SortedMap<String, Long> errors = new TreeMap<>();
    parts.forEach(
        part -> part.errors().forEach((kind, count) -> errors.merge(kind, count, Long::sum)));
    return new Summary(
        parts.stream().mapToInt(Summary::agentsRequested).sum(),
        parts.stream().mapToInt(Summary::agentsConnected).sum(),
        parts.stream().mapToInt(Summary::connectedNow).sum(),
        parts.stream().mapToInt(Summary::maxConcurrentlyConnected).sum(),
        allConnectedAfter,
        parts.stream().map(Summary::elapsed).max(Duration::compareTo).orElseThrow(),
        parts.stream().mapToLong(Summary::messagesSent).sum(),
        parts.stream().mapToLong(Summary::messagesReceived).sum(),
        parts.stream().mapToLong(Summary::reconnects).sum(),
        parts.stream().mapToLong(Summary::retryAftersHonoured).sum(),
        parts.stream().mapToLong(Summary::remoteConfigsApplied).sum(),
        parts.stream().mapToLong(Summary::remoteConfigsFailed).sum(),
        parts.stream().mapToLong(Summary::commandsReceived).sum(),
        errors);
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
    json.put("connected_now", connectedNow);
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
