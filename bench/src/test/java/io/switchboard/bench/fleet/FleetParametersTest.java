package io.switchboard.bench.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class FleetParametersTest {

  @Test
  void agentsAreSharedOutEvenlyOverTheSimulators() {
    FleetParameters fleet = fleet(1_000, 3);
    assertEquals(334, fleet.agentsOf(0));
    assertEquals(333, fleet.agentsOf(1));
    assertEquals(333, fleet.agentsOf(2));
    assertEquals(1_000, IntStream.range(0, 3).map(fleet::agentsOf).sum());
  }

  @Test
  void aSimulatorNeverGetsMoreAgentsThanItsOpenFilesAllow() {
    IllegalArgumentException refused =
        assertThrows(IllegalArgumentException.class, () -> fleet(40_000, 2));
    assertTrue(
        refused.getMessage().contains("leaves 20000 agents in one simulator JVM"),
        refused.getMessage());
    assertTrue(refused.getMessage().endsWith("use at least 3"), refused.getMessage());
  }

  @Test
  void thereAreNeverMoreSimulatorsThanAgents() {
    IllegalArgumentException refused =
        assertThrows(IllegalArgumentException.class, () -> fleet(2, 3));
    assertTrue(
        refused.getMessage().startsWith("-Dsimulators=3: between 1 and -Dagents (2)"),
        refused.getMessage());
  }

  static FleetParameters fleet(int agents, int simulators) {
    return new FleetParameters(
        agents,
        "1g",
        Duration.ofSeconds(5),
        Duration.ofSeconds(30),
        4,
        Duration.ofSeconds(180),
        simulators,
        "512m");
  }
}
