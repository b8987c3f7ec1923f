package io.switchboard.fleetsim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A summary read back from its JSON is the one written, and several simulators' add up to one
 * fleet's.
 */
class SummaryTest {

  @Test
  void theJsonReadsBackAsTheSameSummary() {
    Summary written =
        summary(
            300,
            298,
            297,
            300,
            Optional.of(Duration.ofMillis(4_250)),
            Duration.ofMillis(61_000),
            5,
            Map.of("connect-failed", 3L));
    Summary read = Summary.fromJson(written.toJson());
    assertEquals(written, read);
    assertEquals(297, read.connectedNow());
  }

  @Test
  void aRunWhoseAgentsNeverAllConnectedReadsBackWithoutAnAllConnectedTime() {
    Summary written = summary(10, 7, 7, 7, Optional.empty(), Duration.ofSeconds(5), 0, Map.of());
    assertEquals(Optional.empty(), Summary.fromJson(written.toJson()).allConnectedAfter());
  }

  @Test
  void somethingElseIsRefusedWithAMessage() {
    IllegalArgumentException refused =
        assertThrows(
            IllegalArgumentException.class, () -> Summary.fromJson("{\"agents_requested\": 3}"));
    assertTrue(refused.getMessage().startsWith("not a fleet-sim summary"), refused.getMessage());
  }

  @Test
  void simulatorsCombineIntoOneFleetWhoseSlowestSimulatorSaysWhenAllWereConnected() {
    Summary first =
        summary(
            300,
            300,
            300,
            300,
            Optional.of(Duration.ofMillis(4_000)),
            Duration.ofSeconds(60),
            2,
            Map.of("connect-failed", 2L));
    Summary second =
        summary(
            200,
            200,
            199,
            200,
            Optional.of(Duration.ofMillis(6_500)),
            Duration.ofSeconds(61),
            7,
            Map.of("connect-failed", 1L, "closed-by-server", 4L));

    Summary fleet = Summary.combine(List.of(first, second));

    assertEquals(500, fleet.agentsRequested());
    assertEquals(500, fleet.agentsConnected());
    assertEquals(499, fleet.connectedNow());
    assertEquals(500, fleet.maxConcurrentlyConnected());
    assertEquals(Optional.of(Duration.ofMillis(6_500)), fleet.allConnectedAfter());
    assertEquals(Duration.ofSeconds(61), fleet.elapsed());
    assertEquals(9, fleet.reconnects());
    assertEquals(
        new TreeMap<>(Map.of("connect-failed", 3L, "closed-by-server", 4L)), fleet.errors());
  }

  @Test
  void aFleetIsNotAllConnectedWhileOneOfItsSimulatorsIsNot() {
    Summary done =
        summary(
            300,
            300,
            300,
            300,
            Optional.of(Duration.ofSeconds(4)),
            Duration.ofSeconds(9),
            0,
            Map.of());
    Summary starting = Summary.beforeStart(200);
    Summary fleet = Summary.combine(List.of(done, starting));
    assertEquals(Optional.empty(), fleet.allConnectedAfter());
    assertEquals(500, fleet.agentsRequested());
    assertEquals(300, fleet.connectedNow());
  }

  private static Summary summary(
      int requested,
      int connected,
      int connectedNow,
      int max,
      Optional<Duration> allConnectedAfter,
      Duration elapsed,
      long reconnects,
      Map<String, Long> errors) {
    return new Summary(
        requested,
        connected,
        connectedNow,
        max,
        allConnectedAfter,
        elapsed,
        1_000,
        990,
        reconnects,
        1,
        4,
        1,
        2,
        new TreeMap<>(errors));
  }
}
