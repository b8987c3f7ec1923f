package io.switchboard.bench;

import io.switchboard.fleetsim.SimulatorSettings;
import io.switchboard.fleetsim.Target;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The settings every fleet scenario shares (the simulated agents and the heap of the server JVMs),
 * read from {@code -D} properties, reported the same way in each scenario.
 */
record FleetParameters(
    int agents, String maxHeap, Duration rampUp, Duration heartbeat, int sourceAddresses, Duration connectTimeout) {

  static FleetParameters read(String defaultMaxHeap) {
    return new FleetParameters(
        BenchProperties.integer("agents", 2_000),
        BenchProperties.text("xmx", defaultMaxHeap),
        BenchProperties.duration("rampUp", "5s"),
        BenchProperties.duration("heartbeat", "30s"),
        BenchProperties.integer("sourceAddresses", 4),
        BenchProperties.duration("connectTimeout", "180s"));
  }

  /** Adds these settings to the report's parameters; {@code heapLabel} says whose heap {@code -Dxmx} bounds. */
  void addTo(BenchReport report, String heapLabel) {
    report.parameter("agents (-Dagents)", agents);
    report.parameter(heapLabel + " (-Dxmx)", maxHeap);
    report.parameter("ramp-up (-DrampUp)", rampUp);
    report.parameter("heartbeat until the server offers one (-Dheartbeat)", heartbeat);
    report.parameter("loopback source addresses (-DsourceAddresses)", sourceAddresses);
    report.parameter("connect timeout (-DconnectTimeout)", connectTimeout);
  }

  /** The simulator's settings for these agents against {@code target}, running at most {@code runFor}. */
  SimulatorSettings simulator(String target, Duration runFor) {
    return new SimulatorSettings(
        List.of(Target.parse(target)),
        SimulatorSettings.ReconnectTo.SAME,
        agents,
        runFor,
        rampUp,
        heartbeat,
        0,
        0,
        sourceAddresses,
        SimulatorSettings.DEFAULT_FIRST_SOURCE_ADDRESS,
        Optional.empty(),
        Optional.empty());
  }
}
