package io.switchboard.api.dashboard;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.api.http.Json;
import io.switchboard.persistence.Database;
import io.switchboard.persistence.fleet.FleetQueries;
import io.switchboard.testkit.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.SinkQueueWithCancel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** One browser that stops reading holds up nobody; a stream ends when its session does. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LiveBusTest {

  private static final Duration INTERVAL = Duration.ofMillis(20);

  private final ActorTestKit testKit = ActorTestKit.create("live-bus");
  private TestDatabase db;
  private Database database;
  private LiveBus bus;

  @BeforeAll
  void start() {
    db = TestDatabase.start();
    database = Database.small(db.url());
    bus = new LiveBus(testKit.system(), new FleetQueries(database.pool()), INTERVAL, Json.mapper());
  }

  @AfterAll
  void stop() {
    testKit.shutdownTestKit();
    database.close();
    db.close();
  }

  @Test
  void aBrowserThatDoesNotReadHoldsUpNoOtherBrowser() {
    SinkQueueWithCancel<ServerSentEvent> stalled =
        bus.subscribe(LiveBusTest::live).runWith(Sink.queue(), testKit.system());
    Queue<ServerSentEvent> reading = new ConcurrentLinkedQueue<>();
    bus.subscribe(LiveBusTest::live).runWith(Sink.foreach(reading::add), testKit.system());

    // Far more events than the hub's and the stalled browser's buffers hold together.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> reading.stream().filter(event -> event.getEventType().isPresent()).count() > 150);
    stalled.cancel();
  }

  @Test
  void aStreamEndsWithASessionEndedEventWhenItsSessionEnds() throws Exception {
    AtomicBoolean session = new AtomicBoolean(true);
    Queue<ServerSentEvent> received = new ConcurrentLinkedQueue<>();
    CompletionStage<Done> ended =
        bus.subscribe(() -> CompletableFuture.completedFuture(session.get()))
            .toMat(Sink.foreach(received::add), Keep.right())
            .run(testKit.system());
    await().atMost(Duration.ofSeconds(10)).until(() -> received.size() > 3);
    session.set(false);
    ended.toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
    List<ServerSentEvent> events = List.copyOf(received);
    assertEquals(
        "session-ended",
        events.get(events.size() - 1).getEventType().orElse(""),
        events.toString());
  }

  private static CompletionStage<Boolean> live() {
    return CompletableFuture.completedFuture(true);
  }
}
