package io.switchboard.bench.report;

import io.switchboard.bench.BenchProperties;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Waits until JVMs are warm: until their JIT compiler threads have gone quiet. A node whose agents
 * send it a few dozen messages a second reaches the JIT's compile thresholds slowly, so for minutes
 * after the storm its compiler threads take about as much CPU as its work (README, performance); a
 * CPU window in that time measures the warm-up, not the steady state.
 */
public final class WarmUp {

  /** Quiet: the compiler threads used at most this share of the process's CPU over one check. */
  public static final double QUIET_SHARE = 0.10;

  /** How long each check looks at the compiler threads. */
  static final Duration CHECK = Duration.ofSeconds(10);

  /**
   * CPU one JVM has used so far, in nanoseconds: the whole process and its JIT compiler threads.
   */
  public record Cpu(long processNanos, long compilerNanos) {

    public static Cpu of(long pid) throws IOException {
      return new Cpu(JvmProbe.cpuNanos(pid), JvmProbe.compilerCpuNanos(pid));
    }

    /** What several JVMs (a cluster's nodes) have used together. */
    public static Cpu ofAll(List<Long> pids) throws IOException {
      long process = 0;
      long compiler = 0;
      for (long pid : pids) {
        Cpu one = of(pid);
        process += one.processNanos();
        compiler += one.compilerNanos();
      }
      return new Cpu(process, compiler);
    }
  }

  /** Reads a JVM's CPU so far. */
  interface Probe {
    Cpu read(long pid) throws IOException;
  }

  /** Passes time between two readings. */
  interface Pause {
    void pause(Duration duration) throws InterruptedException;
  }

  /**
   * How the wait ended.
   *
   * @param waited from the first reading to the last
   * @param quiet whether every JVM was quiet in the last check (false: the timeout ended the wait)
   */
  record Result(Duration waited, boolean quiet) {}

  private WarmUp() {}

  /** The longest wait ({@code -DwarmUpTimeout}); 0s measures at once. */
  public static Duration timeout() {
    return BenchProperties.duration("warmUpTimeout", "600s");
  }

  /** Adds the timeout to the report's parameters. */
  public static void addTo(BenchReport report, Duration timeout) {
    report.parameter(
        "longest wait for the JIT compilers to go quiet before the steady state (-DwarmUpTimeout)",
        timeout);
  }

  /**
   * Waits for {@code pids} (nothing with a zero timeout) and reports, as result {@code key}, how
   * long it took, or that they never went quiet.
   */
  public static void awaitAndReport(
      String key, String who, List<Long> pids, Duration timeout, BenchReport report)
      throws IOException, InterruptedException {
    if (timeout.isZero()) {
      return;
    }
    Result warm = await(pids, timeout);
    report.result(
        key,
        who
            + ": JIT compilers quiet (at most "
            + Math.round(QUIET_SHARE * 100)
            + "% of the CPU over "
            + CHECK.toSeconds()
            + " s) after",
        warm.quiet() ? warm.waited().toSeconds() : Double.NaN,
        "s");
    if (!warm.quiet()) {
      report.note(
          who
              + ": the JIT compilers were still busy after -DwarmUpTimeout="
              + timeout.toSeconds()
              + "s; the steady state includes warm-up");
    }
    System.out.printf(
        "bench: %s %s after %d s%n",
        who, warm.quiet() ? "warm" : "still warming up", warm.waited().toSeconds());
  }

  /**
   * Waits, reading /proc, until every JVM of {@code pids} is quiet in the same check, or {@code
   * timeout}.
   */
  static Result await(List<Long> pids, Duration timeout) throws IOException, InterruptedException {
    return await(pids, timeout, Cpu::of, duration -> Thread.sleep(duration.toMillis()));
  }

  static Result await(List<Long> pids, Duration timeout, Probe probe, Pause pause)
      throws IOException, InterruptedException {
    Map<Long, Cpu> before = read(pids, probe);
    Duration waited = Duration.ZERO;
    while (waited.compareTo(timeout) < 0) {
      pause.pause(CHECK);
      waited = waited.plus(CHECK);
      Map<Long, Cpu> now = read(pids, probe);
      if (pids.stream().allMatch(pid -> isQuiet(before.get(pid), now.get(pid)))) {
        return new Result(waited, true);
      }
      before.putAll(now);
    }
    return new Result(waited, false);
  }

  /**
   * The compiler threads' share of the process's CPU between two readings is at most {@link
   * #QUIET_SHARE}.
   */
  static boolean isQuiet(Cpu before, Cpu after) {
    return compilerPercent(before, after) <= QUIET_SHARE * 100;
  }

  /**
   * The compiler threads' CPU between two readings, in percent of the process's (never below 0: a
   * compiler thread that ended in between takes its CPU out of the sum).
   */
  public static double compilerPercent(Cpu before, Cpu after) {
    long process = after.processNanos() - before.processNanos();
    long compiler = Math.max(0, after.compilerNanos() - before.compilerNanos());
    return process == 0 ? 0 : compiler * 100.0 / process;
  }

  private static Map<Long, Cpu> read(List<Long> pids, Probe probe) throws IOException {
    Map<Long, Cpu> readings = new HashMap<>();
    for (long pid : pids) {
      readings.put(pid, probe.read(pid));
    }
    return readings;
  }
}
