package io.switchboard.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.bench.cluster.OperatorApiClient;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * When the node wrote each of a rollout's dispatch envelopes and when it recorded each as sent down
 * its agent's session, by the node's clock, read from {@code GET /api/envelopes}. With the agents'
 * own receipt times this splits a fan-out into the node's part and the way to the agents.
 */
public final class EnvelopeTimes {

  private static final int PAGE = 1000;

  private final Map<String, Instant> written = new HashMap<>();
  private final Map<String, Instant> sent = new HashMap<>();

  private EnvelopeTimes() {}

  /**
   * The envelopes {@code createdBy} made ({@code rollout/<id>}), newest first until {@code
   * expected} are found or the pages end.
   */
  public static EnvelopeTimes read(OperatorApiClient api, String createdBy, int expected)
      throws IOException, InterruptedException {
    EnvelopeTimes times = new EnvelopeTimes();
    String next = null;
    do {
      JsonNode page =
          api.get("/api/envelopes?limit=" + PAGE + (next == null ? "" : "&before=" + next))
              .expect(200, "GET /api/envelopes")
              .body();
      for (JsonNode envelope : page.path("envelopes")) {
        if (createdBy.equals(envelope.path("created_by").asText())) {
          String agent = envelope.path("instance_uid").asText();
          times.written.put(agent, Instant.parse(envelope.path("created_at").asText()));
          if (!envelope.path("sent_at").isNull()) {
            times.sent.put(agent, Instant.parse(envelope.path("sent_at").asText()));
          }
        }
      }
      next = page.path("next").isNull() ? null : page.path("next").asText();
    } while (next != null && times.written.size() < expected);
    return times;
  }

  /** Each agent's envelope written, in nanoseconds after {@code origin}. */
  public Map<String, Long> writtenSince(Instant origin) {
    return since(written, origin);
  }

  /** Each agent's envelope recorded as sent, in nanoseconds after {@code origin}. */
  public Map<String, Long> sentSince(Instant origin) {
    return since(sent, origin);
  }

  private static Map<String, Long> since(Map<String, Instant> times, Instant origin) {
    Map<String, Long> offsets = new HashMap<>();
    times.forEach((agent, time) -> offsets.put(agent, Duration.between(origin, time).toNanos()));
    return offsets;
  }
}
