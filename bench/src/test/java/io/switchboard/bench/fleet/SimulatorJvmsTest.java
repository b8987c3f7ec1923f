package io.switchboard.bench.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.fleetsim.ArgsParser;
import io.switchboard.fleetsim.SimulatorSettings;
import io.switchboard.fleetsim.Target;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What the bench asks of each simulator JVM is what fleet-sim's own parser makes of it. */
class SimulatorJvmsTest {

  private static final List<String> NODES =
      List.of("ws://127.0.0.1:20001/v1/opamp", "ws://127.0.0.1:20002/v1/opamp");

  @Test
  void eachSimulatorGetsItsShareItsOwnAddressRangeAndAReportItRewrites() throws Exception {
    FleetParameters fleet = FleetParametersTest.fleet(1_001, 2);
    Path report = Path.of("bench/target/logs/failover-simulator-1.json");

    SimulatorSettings second =
        ArgsParser.parse(
                SimulatorJvms.arguments(
                        fleet,
                        1,
                        NODES,
                        SimulatorSettings.ReconnectTo.OTHER,
                        Duration.ofSeconds(600),
                        report)
                    .toArray(String[]::new))
            .orElseThrow();

    assertEquals(NODES.stream().map(Target::parse).toList(), second.targets());
    assertEquals(SimulatorSettings.ReconnectTo.OTHER, second.reconnectTo());
    assertEquals(500, second.agents());
    assertEquals(Duration.ofSeconds(600), second.duration());
    assertEquals(Duration.ofSeconds(5), second.rampUp());
    assertEquals(Duration.ofSeconds(30), second.heartbeat());
    // Simulator 0 has 127.0.0.1 .. 127.0.0.4.
    assertEquals(
        List.of("/127.0.0.5:0", "/127.0.0.6:0", "/127.0.0.7:0", "/127.0.0.8:0"),
        second.localAddresses().stream().map(Object::toString).toList());
    assertEquals(Optional.of(report), second.report());
    assertEquals(Optional.of(SimulatorJvms.REPORT_EVERY), second.reportEvery());
  }

  @Test
  void addressRangesFollowOneAnotherAcrossOctets() {
    assertEquals("127.0.0.1", SimulatorJvms.firstSourceAddress(0, 4));
    assertEquals("127.0.0.9", SimulatorJvms.firstSourceAddress(2, 4));
    assertEquals("127.0.1.1", SimulatorJvms.firstSourceAddress(64, 4));
  }
}
