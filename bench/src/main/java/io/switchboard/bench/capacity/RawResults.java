package io.switchboard.bench.capacity;

import io.switchboard.bench.report.BenchReport;
import java.util.Locale;

/**
 * Each round's own measurements, as they were read, into the report and onto the console as soon as
 * the round ends: the model is fitted from these, and they stand without it.
 */
final class RawResults {

  private RawResults() {}

  static void addTo(BenchReport report, CapacityRound.Result round) {
    String key = "raw_" + round.label().replace('-', '_');
    window(report, key + "_idle", round.label() + ", nodes idle", round.idle(), 0);
    window(report, key + "_heartbeats", round.label() + ", heartbeating", round.heartbeats(), 0);
    window(report, key + "_status", round.label() + ", status changes", round.statusChanges(), 0);
    window(
        report,
        key + "_commands",
        round.label() + ", commands",
        round.commands(),
        round.commandsAccepted());
    System.out.printf(
        Locale.ROOT,
        "bench: %s: heap of all nodes after full GCs %.1f MiB before the agents, %.1f MiB with them;"
            + " sessions per node %s%n",
        round.label(),
        round.idleHeapTotal() / 1048576.0,
        round.heapTotal() / 1048576.0,
        java.util.Arrays.toString(round.sessions()));
    report.result(
        key + "_idle_heap_mib",
        round.label() + ": heap of all nodes after full GCs, before the agents",
        round.idleHeapTotal() / 1048576.0,
        "MiB");
    report.result(
        key + "_heap_mib",
        round.label() + ": heap of all nodes after full GCs, fleet connected",
        round.heapTotal() / 1048576.0,
        "MiB");
  }

  private static void window(
      BenchReport report, String key, String label, Window window, int commands) {
    String line =
        String.format(
            Locale.ROOT,
            "%s: %.1f s; nodes %.2f%% of a core without JIT (JIT %.2f%%), PostgreSQL %.2f%%;"
                + " %.0f agent messages (%.0f status), %d commands accepted, deliveries %.0f local /"
                + " %.0f forwarded; %d rows (and %d of lease renewals), %d WAL bytes, %d commits",
            label,
            window.seconds(),
            window.coresWithoutJit() * 100,
            window.compilerCores() * 100,
            window.databaseCores() * 100,
            window.frames(),
            window.statusMessages(),
            commands,
            window.local(),
            window.forwarded(),
            window.rowsWritten(),
            window.leaseRows(),
            window.walBytes(),
            window.commits());
    System.out.println("bench: " + line);
    report.note(line);
    report.result(
        key + "_cpu_percent",
        label + ": nodes' CPU without JIT",
        window.coresWithoutJit() * 100,
        "% of a core");
  }
}
