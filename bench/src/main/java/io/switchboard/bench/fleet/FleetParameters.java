package io.switchboard.bench.fleet;

import io.switchboard.bench.BenchProperties;
import io.switchboard.bench.report.BenchReport;
import io.switchboard.fleetsim.SimulatorSettings;
import io.switchboard.fleetsim.Target;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The settings every fleet scenario shares (the simulated agents and the heap of the server JVMs),
 * read from {@code -D} properties, reported the same way in each scenario.
 *
 * @param simulators the fleet-sim JVMs the agents are split over (scenarios that run the fleet in
 *     child JVMs)
 * @param simulatorMaxHeap {@code -Xmx} of each of those JVMs
 * @param sourceAddresses loopback source addresses of each simulator, a range of its own
 */
public record FleetParameters(
    int agents,
    String maxHeap,
    Duration rampUp,
    Duration heartbeat,
    int sourceAddresses,
    Duration connectTimeout,
    int simulators,
    String simulatorMaxHeap) {

  /**
   * A simulator JVM's share stays below this by default: its sockets, with the JVM's own files,
   * must fit the 20,000 open files of a process here, with room to spare.
   */
  static final int AGENTS_PER_SIMULATOR = 15_000;

  public FleetParameters {
    if (agents < 1) {
      throw new IllegalArgumentException("-Dagents=" + agents + ": at least one agent");
    }
    if (simulators < 1 || simulators > agents) {
      throw new IllegalArgumentException(
          "-Dsimulators=" + simulators + ": between 1 and -Dagents (" + agents + ")");
    }
    if (ceilDiv(agents, simulators) > SimulatorSettings.MAX_AGENTS) {
      throw new IllegalArgumentException(
          "-Dsimulators="
              + simulators
              + " leaves "
              + ceilDiv(agents, simulators)
              + " agents in one simulator JVM, more than its open files allow ("
              + SimulatorSettings.MAX_AGENTS
              + "): use at least "
              + ceilDiv(agents, SimulatorSettings.MAX_AGENTS));
    }
  }

  public static FleetParameters read(String defaultMaxHeap) {
    int agents = BenchProperties.integer("agents", 2_000);
    int simulators = BenchProperties.integer("simulators", ceilDiv(agents, AGENTS_PER_SIMULATOR));
    return new FleetParameters(
        agents,
        BenchProperties.text("xmx", defaultMaxHeap),
        BenchProperties.duration("rampUp", "5s"),
        BenchProperties.duration("heartbeat", "30s"),
        BenchProperties.integer("sourceAddresses", 4),
        BenchProperties.duration("connectTimeout", defaultConnectTimeout(agents)),
        simulators,
        BenchProperties.text("simulatorXmx", defaultSimulatorHeap(ceilDiv(agents, simulators))));
  }

  /**
   * Three minutes, or 20 ms per agent for a bigger fleet: 10,000 agents took 160 s to connect to
   * one fresh node on this machine, and a storm of more agents on the same two cores only takes
   * longer.
   */
  private static String defaultConnectTimeout(int agents) {
    return Math.max(180, agents / 50) + "s";
  }

  /**
   * Room for the JVM and Pekko, plus 160 KiB per agent. A simulator holds about 75 KiB per agent
   * after full GCs, but a storm's connects allocate far more while they are under way: with 64 KiB
   * per agent, 10,000 agents took twice as long, the simulator collecting garbage most of the time.
   */
  private static String defaultSimulatorHeap(int agentsPerSimulator) {
    return (512 + agentsPerSimulator * 160L / 1024) + "m";
  }

  /**
   * Adds these settings to the report's parameters; {@code heapLabel} says whose heap {@code -Dxmx}
   * bounds.
   */
  public void addTo(BenchReport report, String heapLabel) {
    report.parameter("agents (-Dagents)", agents);
    report.parameter(heapLabel + " (-Dxmx)", maxHeap);
    report.parameter("ramp-up (-DrampUp)", rampUp);
    report.parameter("heartbeat until the server offers one (-Dheartbeat)", heartbeat);
    report.parameter(
        "loopback source addresses of each simulator (-DsourceAddresses)", sourceAddresses);
    report.parameter("connect timeout (-DconnectTimeout)", connectTimeout);
  }

  /** Adds the settings of a fleet that runs in fleet-sim JVMs of its own. */
  public void addSimulatorsTo(BenchReport report) {
    report.parameter("simulator JVMs (-Dsimulators)", simulators);
    report.parameter("heap limit per simulator JVM (-DsimulatorXmx)", simulatorMaxHeap);
  }

  /**
   * Agents of simulator {@code index}: an equal share, the first ones taking one more of the
   * remainder.
   */
  int agentsOf(int index) {
    return agents / simulators + (index < agents % simulators ? 1 : 0);
  }

  /**
   * The settings of a fleet run inside the bench's JVM (dispatch-latency's, whose observer must
   * share the bench's clock) for these agents, spread round-robin over {@code targets}, running at
   * most {@code runFor}.
   */
  SimulatorSettings simulator(List<String> targets, Duration runFor) {
    return new SimulatorSettings(
        targets.stream().map(Target::parse).toList(),
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

  private static int ceilDiv(int dividend, int divisor) {
    return (dividend + divisor - 1) / divisor;
  }
}
