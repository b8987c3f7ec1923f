package io.switchboard.bench.fleet;

import io.switchboard.bench.BenchPaths;
import io.switchboard.bench.ChildJvm;
import io.switchboard.bench.report.BenchReport;
import io.switchboard.fleetsim.SimulatorSettings;
import io.switchboard.fleetsim.Summary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A scenario's simulated fleet as fleet-sim processes ({@code io.switchboard.fleetsim.Main}), one
 * per {@code -Dsimulators}: each with its share of the agents, a loopback source-address range of
 * its own (its own ephemeral ports) and a {@code --report} file it rewrites every {@link
 * #REPORT_EVERY}. The fleet's numbers while it runs are those files combined; at the end, their
 * final summaries. Each JVM's output goes to the bench's log directory.
 */
public final class SimulatorJvms implements AutoCloseable {

  /** How fresh the fleet's numbers are: a recovery is timed to about this. */
  public static final Duration REPORT_EVERY = Duration.ofMillis(250);

  /**
   * A simulator that is told to stop says goodbye for at most 45 s (fleet-sim's own bound), then
   * reports.
   */
  private static final Duration STOP_GRACE = Duration.ofSeconds(60);

  /** One fleet-sim JVM, and what it was asked to simulate. */
  private record Simulator(ChildJvm jvm, int agents, Path report) {}

  private final List<Simulator> simulators;
  private volatile boolean stopping;

  private SimulatorJvms(List<Simulator> simulators) {
    this.simulators = List.copyOf(simulators);
  }

  /**
   * Starts {@code fleet.simulators()} JVMs whose agents connect to {@code targets} (spread over
   * them round-robin in each JVM) for at most {@code runFor}.
   */
  public static SimulatorJvms start(
      String scenario,
      FleetParameters fleet,
      List<String> targets,
      SimulatorSettings.ReconnectTo reconnectTo,
      Duration runFor)
      throws IOException {
    return start(scenario, fleet, targets, reconnectTo, runFor, List.of());
  }

  /**
   * As above, each JVM also given {@code moreArguments} (fleet-sim options such as {@code
   * --churn-per-second}).
   */
  public static SimulatorJvms start(
      String scenario,
      FleetParameters fleet,
      List<String> targets,
      SimulatorSettings.ReconnectTo reconnectTo,
      Duration runFor,
      List<String> moreArguments)
      throws IOException {
    Path logs = BenchPaths.logDirectory();
    String classpath = BenchPaths.benchClasspath();
    List<Simulator> simulators = new ArrayList<>();
    try {
      for (int i = 0; i < fleet.simulators(); i++) {
        String name = scenario + "-simulator-" + i;
        Path report = logs.resolve(name + ".json");
        Files.deleteIfExists(report);
        ChildJvm jvm =
            ChildJvm.start(
                name,
                List.of("-Xmx" + fleet.simulatorMaxHeap()),
                classpath,
                "io.switchboard.fleetsim.Main",
                concat(arguments(fleet, i, targets, reconnectTo, runFor, report), moreArguments),
                Map.of(),
                logs.resolve(name + ".log"),
                () -> {});
        simulators.add(new Simulator(jvm, fleet.agentsOf(i), report));
      }
    } catch (IOException | RuntimeException e) {
      simulators.forEach(simulator -> simulator.jvm().close());
      throw e;
    }
    System.out.printf(
        "bench: %d simulator JVMs, %s agents; logs and reports in %s%n",
        simulators.size(),
        simulators.stream().map(simulator -> Integer.toString(simulator.agents())).toList(),
        logs);
    return new SimulatorJvms(simulators);
  }

  /**
   * Simulator {@code index}'s command line: its share of the agents, its address range, its report
   * file.
   */
  static List<String> arguments(
      FleetParameters fleet,
      int index,
      List<String> targets,
      SimulatorSettings.ReconnectTo reconnectTo,
      Duration runFor,
      Path report) {
    List<String> args = new ArrayList<>();
    targets.forEach(target -> args.addAll(List.of("--target", target)));
    args.addAll(
        List.of(
            "--reconnect-to", reconnectTo.name().toLowerCase(Locale.ROOT),
            "--agents", Integer.toString(fleet.agentsOf(index)),
            "--duration", runFor.toMillis() + "ms",
            "--ramp-up", fleet.rampUp().toMillis() + "ms",
            "--heartbeat", fleet.heartbeat().toMillis() + "ms",
            "--source-addresses", Integer.toString(fleet.sourceAddresses()),
            "--first-source-address", firstSourceAddress(index, fleet.sourceAddresses()),
            "--report", report.toString(),
            "--report-every", REPORT_EVERY.toMillis() + "ms"));
    return args;
  }

  private static List<String> concat(List<String> first, List<String> second) {
    List<String> all = new ArrayList<>(first);
    all.addAll(second);
    return all;
  }

  /**
   * Where simulator {@code index}'s range starts: right after the one before it, from 127.0.0.1 on.
   */
  static String firstSourceAddress(int index, int addressesEach) {
    byte[] octets = ByteBuffer.allocate(4).putInt(0x7F000001 + index * addressesEach).array();
    return (octets[0] & 0xFF)
        + "."
        + (octets[1] & 0xFF)
        + "."
        + (octets[2] & 0xFF)
        + "."
        + (octets[3] & 0xFF);
  }

  /**
   * The whole fleet's numbers, as recent as the simulators' last rewrites; a simulator that has not
   * written yet counts as not started.
   *
   * @throws IllegalStateException when a simulator ended before it was told to: its agents are gone
   */
  public Summary progress() {
    List<Summary> parts = new ArrayList<>();
    for (Simulator simulator : simulators) {
      if (!stopping && !simulator.jvm().isAlive()) {
        throw new IllegalStateException(
            simulator.jvm().name() + " exited during the run; see " + simulator.jvm().log());
      }
      parts.add(read(simulator).orElse(Summary.beforeStart(simulator.agents())));
    }
    return Summary.combine(parts);
  }

  /** Every JVM's pid: whose CPU the load itself costs. */
  public List<Long> pids() {
    return simulators.stream().map(simulator -> simulator.jvm().pid()).toList();
  }

  /**
   * Stops every simulator as Ctrl-C would (goodbyes, then the final summary) and combines their
   * summaries; a JVM that did not end in time is killed, and its last rewrite counts instead.
   */
  public Summary stop(BenchReport report) {
    stopping = true;
    List<CompletableFuture<Boolean>> stops =
        simulators.stream()
            .map(simulator -> CompletableFuture.supplyAsync(() -> simulator.jvm().stop(STOP_GRACE)))
            .toList();
    List<Summary> parts = new ArrayList<>();
    for (int i = 0; i < simulators.size(); i++) {
      Simulator simulator = simulators.get(i);
      if (!stops.get(i).join()) {
        report.note(
            simulator.jvm().name()
                + " had not ended "
                + STOP_GRACE.toSeconds()
                + " s after SIGTERM and was killed;"
                + " its numbers are from its last rewrite");
      }
      Summary summary = read(simulator).orElse(Summary.beforeStart(simulator.agents()));
      if (simulators.size() > 1) {
        report.note(
            simulator.jvm().name()
                + " after the goodbyes: "
                + summary.toJson().replaceAll("\\s+", " "));
      }
      parts.add(summary);
    }
    return Summary.combine(parts);
  }

  private static Optional<Summary> read(Simulator simulator) {
    try {
      return Optional.of(Summary.fromJson(Files.readString(simulator.report())));
    } catch (NoSuchFileException notYet) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + simulator.report(), e);
    }
  }

  /** Ends any simulator still running (a scenario that failed half-way). */
  @Override
  public void close() {
    stopping = true;
    simulators.forEach(simulator -> simulator.jvm().close());
  }
}
