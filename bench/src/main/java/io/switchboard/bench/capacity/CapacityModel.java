package io.switchboard.bench.capacity;

import io.switchboard.bench.report.BenchReport;
import java.util.List;
import java.util.Locale;

/**
 * The linear model of a cluster's CPU and heap, its unit costs fitted from the rounds, and each
 * round's measurement against what the model predicts for it. In every window:
 *
 * <pre>
 * nodes' CPU (JIT left out) = the K idle nodes' CPU, measured warm once the fleet has gone
 *                           + heartbeats × CPU per heartbeat
 *                           + status messages × CPU per status change
 *                           + commands × CPU per command
 *                           + forwarded messages × remoting CPU per forwarded message
 *                           + forwarded commands × remoting CPU per forwarded command
 * heap (after full GCs)     = the K idle nodes' heap + agents × heap per agent
 * </pre>
 *
 * where heartbeats are the agents' messages without a change, forwarded messages are (K-1)/K of the
 * agents' messages (the entity lives on another node than the socket, shards being spread evenly)
 * plus the deliveries the nodes counted as forwarded, and forwarded commands are (K-1)/K of the
 * commands' API calls (the API call lands on another node than the entity, which it asks and waits
 * for: two remote messages and an ask, much more than a forwarded heartbeat). A heartbeat's cost
 * includes the upkeep of the agent's connection between heartbeats (pings, timers). The one-node
 * round fixes the per-message costs (its three loaded windows are fitted, so they match by
 * construction); the two-node round's heartbeat window fixes the remoting cost per message and its
 * command window the remoting cost per command; every other window, and every heap, is a
 * prediction.
 */
record CapacityModel(
    double heartbeatCoreSeconds,
    double statusCoreSeconds,
    double commandCoreSeconds,
    double forwardCoreSeconds,
    double forwardedCommandCoreSeconds,
    double heapBytesPerAgent,
    double databaseRowsPerStatus,
    double walBytesPerStatus,
    double databaseCoreSecondsPerStatus,
    double walBytesPerHeartbeat,
    double rowsPerHeartbeat,
    double databaseCoreSecondsPerHeartbeat,
    double walBytesPerCommand,
    double rowsPerCommand,
    double leaseRowsPerSecond) {

  /** The counts one window's CPU is divided among. */
  record Load(
      double heartbeats,
      double status,
      double commands,
      double forwarded,
      double forwardedCommands) {

    static Load of(Window window, int nodes, int commands) {
      double share = (nodes - 1) / (double) nodes;
      double heartbeats = Math.max(0, window.frames() - window.statusMessages());
      return new Load(
          heartbeats / window.seconds(),
          window.statusMessages() / window.seconds(),
          commands / window.seconds(),
          (share * window.frames() + window.forwarded()) / window.seconds(),
          share * commands / window.seconds());
    }
  }

  static CapacityModel fit(List<CapacityRound.Result> rounds) {
    CapacityRound.Result one =
        rounds.stream()
            .filter(round -> round.nodes() == 1)
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("the model needs a one-node round"));
    double idle = one.idle().coresWithoutJit();
    Load hb = Load.of(one.heartbeats(), 1, 0);
    double perHeartbeat = (one.heartbeats().coresWithoutJit() - idle) / hb.heartbeats();
    Load st = Load.of(one.statusChanges(), 1, 0);
    double perStatus =
        (one.statusChanges().coresWithoutJit() - idle - st.heartbeats() * perHeartbeat)
            / st.status();
    Load cmd = Load.of(one.commands(), 1, one.commandsAccepted());
    double perCommand =
        (one.commands().coresWithoutJit()
                - idle
                - cmd.heartbeats() * perHeartbeat
                - cmd.status() * perStatus)
            / cmd.commands();
    double perForward = 0;
    double perForwardedCommand = 0;
    for (CapacityRound.Result round : rounds) {
      if (round.nodes() == 2) {
        Load two = Load.of(round.heartbeats(), 2, 0);
        perForward =
            (round.heartbeats().coresWithoutJit()
                    - round.idle().coresWithoutJit()
                    - two.heartbeats() * perHeartbeat
                    - two.status() * perStatus)
                / two.forwarded();
        Load twoCmd = Load.of(round.commands(), 2, round.commandsAccepted());
        perForwardedCommand =
            (round.commands().coresWithoutJit()
                    - round.idle().coresWithoutJit()
                    - twoCmd.heartbeats() * perHeartbeat
                    - twoCmd.status() * perStatus
                    - twoCmd.commands() * perCommand
                    - twoCmd.forwarded() * perForward)
                / twoCmd.forwardedCommands();
        break;
      }
    }
    Window hbWindow = one.heartbeats();
    Window stWindow = one.statusChanges();
    Window cmdWindow = one.commands();
    double messages = hb.heartbeats() + hb.status();
    double rowsPerMessage = hbWindow.rowsPerSecond() / messages;
    double walPerMessage = hbWindow.walBytesPerSecond() / messages;
    double databaseCoresPerMessage =
        (hbWindow.databaseCores() - one.idle().databaseCores()) / messages;
    // The database's part of a status change or a command: the window's, less what its heartbeats
    // cost at the heartbeating window's rate per message.
    return new CapacityModel(
        perHeartbeat,
        perStatus,
        perCommand,
        perForward,
        perForwardedCommand,
        (one.heapTotal() - one.idleHeapTotal()) / (double) one.agents(),
        (stWindow.rowsPerSecond() - st.heartbeats() * rowsPerMessage) / st.status(),
        (stWindow.walBytesPerSecond() - st.heartbeats() * walPerMessage) / st.status(),
        (stWindow.databaseCores()
                - one.idle().databaseCores()
                - st.heartbeats() * databaseCoresPerMessage)
            / st.status(),
        walPerMessage,
        rowsPerMessage,
        databaseCoresPerMessage,
        (cmdWindow.walBytesPerSecond() - cmd.heartbeats() * walPerMessage) / cmd.commands(),
        (cmdWindow.rowsPerSecond() - cmd.heartbeats() * rowsPerMessage) / cmd.commands(),
        hbWindow.leaseRowsPerSecond());
  }

  double predictCores(Window window, Window idle, int nodes, int commands) {
    Load load = Load.of(window, nodes, commands);
    return idle.coresWithoutJit()
        + load.heartbeats() * heartbeatCoreSeconds
        + load.status() * statusCoreSeconds
        + load.commands() * commandCoreSeconds
        + (nodes > 1
            ? load.forwarded() * forwardCoreSeconds
                + load.forwardedCommands() * forwardedCommandCoreSeconds
            : 0);
  }

  double predictHeap(CapacityRound.Result round) {
    return round.idleHeapTotal() + round.agents() * heapBytesPerAgent;
  }

  void addTo(BenchReport report, List<CapacityRound.Result> rounds) {
    report.result(
        "unit_cpu_per_heartbeat_us",
        "CPU per heartbeat, with the connection's upkeep between heartbeats (one node)",
        heartbeatCoreSeconds * 1e6,
        "µs");
    report.result(
        "unit_cpu_per_status_us",
        "CPU per status change (one node)",
        statusCoreSeconds * 1e6,
        "µs");
    report.result(
        "unit_cpu_per_command_us",
        "CPU per restart command, API call to delivery (one node)",
        commandCoreSeconds * 1e6,
        "µs");
    report.result(
        "unit_cpu_per_forwarded_us",
        "remoting CPU per forwarded message (two-node round)",
        forwardCoreSeconds * 1e6,
        "µs");
    report.result(
        "unit_cpu_per_forwarded_command_us",
        "remoting CPU per command whose API call lands on another node than the agent's entity"
            + " (two-node round)",
        forwardedCommandCoreSeconds * 1e6,
        "µs");
    report.result(
        "unit_heap_per_agent_kib",
        "heap per agent after full GCs (one node)",
        heapBytesPerAgent / 1024,
        "KiB");
    report.result(
        "unit_rows_per_status",
        "PostgreSQL rows written per status change",
        databaseRowsPerStatus,
        "");
    report.result(
        "unit_wal_per_status_bytes", "PostgreSQL WAL per status change", walBytesPerStatus, "B");
    report.result(
        "unit_db_cpu_per_status_us",
        "PostgreSQL CPU per status change",
        databaseCoreSecondsPerStatus * 1e6,
        "µs");
    report.result(
        "unit_rows_per_heartbeat",
        "PostgreSQL rows written per agent message, heartbeating fleet",
        rowsPerHeartbeat,
        "");
    report.result(
        "unit_wal_per_heartbeat_bytes",
        "PostgreSQL WAL per agent message, heartbeating fleet",
        walBytesPerHeartbeat,
        "B");
    report.result(
        "unit_db_cpu_per_heartbeat_us",
        "PostgreSQL CPU per agent message, heartbeating fleet",
        databaseCoreSecondsPerHeartbeat * 1e6,
        "µs");
    report.result(
        "unit_rows_per_command", "PostgreSQL rows written per command", rowsPerCommand, "");
    report.result(
        "unit_wal_per_command_bytes", "PostgreSQL WAL per command", walBytesPerCommand, "B");
    report.result(
        "lease_rows_per_second",
        "PostgreSQL rows of shard lease renewals, the cluster's (whatever its fleet; left out of"
            + " the rows above)",
        leaseRowsPerSecond,
        "rows/s");
    for (CapacityRound.Result round : rounds) {
      String key = round.label();
      validate(report, key, "heartbeating", round.heartbeats(), round, 0);
      validate(report, key, "status changes", round.statusChanges(), round, 0);
      validate(report, key, "commands", round.commands(), round, round.commandsAccepted());
      double heap = round.heapTotal();
      double predicted = predictHeap(round);
      report.result(
          key + "_heap_mib", key + ": heap of all nodes after full GCs", heap / 1048576, "MiB");
      report.result(
          key + "_heap_ratio",
          key + ": heap, measured / predicted (predicted " + mib(predicted) + ")",
          heap / predicted,
          "");
      report.note(
          String.format(
              Locale.ROOT,
              "%s: %d agents connected after %.0f s; sessions per node %s; load average %s",
              key,
              round.agents(),
              round.connectedAfterSeconds(),
              java.util.Arrays.toString(round.sessions()),
              round.loadAverages()));
    }
  }

  private void validate(
      BenchReport report,
      String key,
      String what,
      Window window,
      CapacityRound.Result round,
      int commands) {
    double measured = window.coresWithoutJit();
    double predicted = predictCores(window, round.idle(), round.nodes(), commands);
    String slug = what.replace(' ', '_');
    report.result(
        key + "_" + slug + "_cpu_percent",
        String.format(
            Locale.ROOT,
            "%s, %s: nodes' CPU, JIT left out (JIT %.1f%%; PostgreSQL %.1f%%; %.0f agent messages/s, %.1f status/s, %.1f commands/s)",
            key,
            what,
            window.compilerCores() * 100,
            window.databaseCores() * 100,
            window.framesPerSecond(),
            window.statusPerSecond(),
            commands / window.seconds()),
        measured * 100,
        "% of a core");
    report.result(
        key + "_" + slug + "_cpu_ratio",
        String.format(
            Locale.ROOT,
            "%s, %s: CPU measured / predicted (predicted %.1f%%)",
            key,
            what,
            predicted * 100),
        measured / predicted,
        "");
  }

  private static String mib(double bytes) {
    return String.format(Locale.ROOT, "%.0f MiB", bytes / 1048576);
  }
}
