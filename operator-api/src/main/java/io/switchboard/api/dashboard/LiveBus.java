package io.switchboard.api.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.observability.SwitchboardMetrics;
import io.switchboard.persistence.fleet.FleetQueries;
import io.switchboard.persistence.fleet.StatusChange;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.BroadcastHub;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Live updates for every browser on this node, from one poll per interval however many browsers
 * watch: a {@code summary} event (the fleet at a glance) and an {@code agents} event (the agents
 * whose status changed notably since the last poll, at most {@link #MAX_CHANGES}, with {@code
 * "more": true} when there were more). So a chatty fleet costs a browser one small message per
 * interval. With nobody watching, the hub fills and the polls stop.
 */
public final class LiveBus {

  static final int MAX_CHANGES = 200;

  /** Events a browser may fall behind by; past that its oldest are dropped, nobody waits for it. */
  static final int PER_BROWSER_BUFFER = 32;

  /** The last event of a stream whose session ended (signed out, expired, disabled). */
  static final ServerSentEvent SESSION_ENDED = ServerSentEvent.create("{}", "session-ended");

  private final Source<ServerSentEvent, NotUsed> events;
  private final Duration interval;

  public LiveBus(ActorSystem<?> system, FleetQueries fleet, Duration interval, ObjectMapper json) {
    this.interval = interval;
    AtomicReference<Instant> since = new AtomicReference<>(Instant.now());
    this.events =
        Source.tick(Duration.ZERO, interval, "poll")
            .mapAsync(1, poll -> poll(fleet, since, json))
            .mapConcat(batch -> batch)
            .toMat(BroadcastHub.of(ServerSentEvent.class, 16), Keep.right())
            .run(system);
  }

  /**
   * The events for one more browser, with keep-alives so proxies keep the stream open. A browser
   * that does not read loses its oldest events instead of holding up the hub for every other one;
   * the stream ends (with a {@code session-ended} event) once {@code sessionLive} says no, checked
   * every interval.
   */
  public Source<ServerSentEvent, NotUsed> subscribe(
      Supplier<CompletionStage<Boolean>> sessionLive) {
    Source<ServerSentEvent, NotUsed> ended =
        Source.tick(interval, interval, "check")
            .mapAsync(1, tick -> sessionLive.get())
            .filter(live -> !live)
            .take(1)
            .map(gone -> SESSION_ENDED)
            .mapMaterializedValue(cancellable -> NotUsed.notUsed());
    return events
        .buffer(PER_BROWSER_BUFFER, OverflowStrategy.dropHead())
        .map(
            event -> {
              SwitchboardMetrics.liveBusEvents(event.getEventType().orElse("message")).increment();
              return event;
            })
        .keepAlive(Duration.ofSeconds(15), ServerSentEvent::heartbeat)
        .merge(ended)
        .takeWhile(event -> event != SESSION_ENDED, true);
  }

  private static CompletionStage<List<ServerSentEvent>> poll(
      FleetQueries fleet, AtomicReference<Instant> since, ObjectMapper json) {
    return fleet
        .summary()
        .thenCombine(
            fleet.changesSince(since.get(), MAX_CHANGES + 1),
            (summary, changes) -> {
              List<ServerSentEvent> batch = new ArrayList<>();
              batch.add(ServerSentEvent.create(write(json, summary), "summary"));
              if (!changes.isEmpty()) {
                List<StatusChange> shown =
                    changes.subList(0, Math.min(MAX_CHANGES, changes.size()));
                since.set(shown.get(shown.size() - 1).recordedAt());
                batch.add(
                    ServerSentEvent.create(
                        write(
                            json,
                            Map.of(
                                "changes",
                                shown.stream().map(ChangeView::of).toList(),
                                "more",
                                changes.size() > MAX_CHANGES)),
                        "agents"));
              }
              return batch;
            });
  }

  private static String write(ObjectMapper json, Object value) {
    try {
      return json.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("live updates write as JSON", e);
    }
  }
}
