package io.switchboard.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.bench.cluster.OperatorApiClient;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A rollout (or an assignment) created through the operator API and read every {@link
 * #READ_INTERVAL} until it stopped running or the wait ended; the readings' round trips go into the
 * report's latency timeline.
 */
public final class WatchedRollout {

  /** How often the rollout is read while it runs. */
  public static final Duration READ_INTERVAL = Duration.ofMillis(200);

  /** The states in which the rollout driver still steps a rollout. */
  private static final Set<String> ACTIVE = Set.of("RUNNING", "PAUSED");

  private final String path;
  private final long calledNanos;
  private final long answeredNanos;
  private final RolloutWatch watch;
  private JsonNode last;
  private int failedReads;

  private WatchedRollout(String path, long calledNanos, long answeredNanos, JsonNode created) {
    this.path = path;
    this.calledNanos = calledNanos;
    this.answeredNanos = answeredNanos;
    this.watch = new RolloutWatch(calledNanos, Instant.parse(created.path("created_at").asText()));
    this.last = created;
  }

  /**
   * Creates it with {@code body} at {@code createPath} ({@code /api/rollouts} or {@code
   * /api/assignments}) and reads it for at most {@code timeout}; the report's seconds count from
   * {@code startNanos}.
   */
  public static WatchedRollout create(
      OperatorApiClient api,
      String createPath,
      ObjectNode body,
      Duration timeout,
      long startNanos,
      BenchReport report)
      throws IOException, InterruptedException {
    long called = System.nanoTime();
    OperatorApiClient.Answer created = api.post(createPath, body).expect(201, "POST " + createPath);
    WatchedRollout rollout =
        new WatchedRollout(
            "/api/rollouts/" + created.field("id"), called, System.nanoTime(), created.body());
    rollout.readUntilStopped(api, called + timeout.toNanos(), startNanos, report);
    return rollout;
  }

  private void readUntilStopped(
      OperatorApiClient api, long deadlineNanos, long startNanos, BenchReport report)
      throws InterruptedException {
    while (watch.running() && System.nanoTime() < deadlineNanos) {
      Thread.sleep(READ_INTERVAL.toMillis());
      long before = System.nanoTime();
      OperatorApiClient.Answer read;
      try {
        read = api.get(path);
      } catch (IOException noAnswer) {
        // A reading the node did not answer is itself a result: counted, and the next one is taken.
        failedReads++;
        continue;
      }
      long after = System.nanoTime();
      report.latency(
          "API: GET /api/rollouts/{id} round trip",
          (after - startNanos) / 1e9,
          (after - before) / 1e6);
      if (read.status() != 200) {
        failedReads++;
        continue;
      }
      last = read.body();
      watch.observe(
          after,
          last.path("state").asText(),
          read.field("detail"),
          last.path("current_batch").asInt(),
          Instant.parse(last.path("updated_at").asText()));
    }
  }

  /** {@code /api/rollouts/{id}}. */
  public String path() {
    return path;
  }

  /** When the call that created it was made ({@link System#nanoTime()}). */
  public long calledNanos() {
    return calledNanos;
  }

  public double answeredAfterMillis() {
    return (answeredNanos - calledNanos) / 1e6;
  }

  public RolloutWatch watch() {
    return watch;
  }

  /** Whether the driver still steps it (running, or paused by a gate). */
  public boolean active() {
    return ACTIVE.contains(watch.state());
  }

  public Instant createdAt() {
    return Instant.parse(last.path("created_at").asText());
  }

  public int batchCount() {
    return last.path("batch_count").asInt();
  }

  /** The agents of batch {@code batch} (from 0), as the API counts them. */
  public int batchTargets(int batch) {
    return last.path("batches").path(batch).path("targets").asInt();
  }

  /** Every agent it targets, as the API counts them. */
  public int targets() {
    int targets = 0;
    for (JsonNode batch : last.path("batches")) {
      targets += batch.path("targets").asInt();
    }
    return targets;
  }

  /**
   * Notes, for a rollout that did not complete, where it stood batch by batch when the API showed
   * it last; and failed readings.
   */
  public void noteHowItEnded(BenchReport report, String what) {
    if (failedReads > 0) {
      report.note("readings of " + what + " that failed (no answer, or not 200): " + failedReads);
    }
    if (watch.completedAfter().isPresent()) {
      return;
    }
    List<String> batches = new ArrayList<>();
    for (JsonNode batch : last.path("batches")) {
      batches.add(
          String.format(
              Locale.ROOT,
              "batch %d: %d targets, %d not dispatched, %d open, %d applied, %d failed, %d expired",
              batch.path("batch").asInt() + 1,
              batch.path("targets").asInt(),
              batch.path("not_dispatched").asInt(),
              batch.path("open").asInt(),
              batch.path("applied").asInt(),
              batch.path("failed").asInt(),
              batch.path("expired").asInt()));
    }
    report.note(
        what
            + " was "
            + watch.state()
            + " when the bench stopped reading it"
            + (watch.detail() == null ? "" : " (" + watch.detail() + ")")
            + "; the API's last progress: "
            + String.join("; ", batches));
  }
}
