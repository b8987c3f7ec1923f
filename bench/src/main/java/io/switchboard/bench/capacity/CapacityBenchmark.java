package io.switchboard.bench.capacity;

import io.switchboard.bench.BenchProperties;
import io.switchboard.bench.fleet.FleetParameters;
import io.switchboard.bench.report.BenchReport;
import io.switchboard.bench.report.WarmUp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code capacity}: the unit costs of the capacity model (docs/capacity.md) and their check. The
 * same fleet runs on each of {@code -Drounds} (default {@code 1,2,3}: local clusters of 1, 2 and 3
 * node processes on one PostgreSQL the bench starts); each round measures its nodes idle, the fleet
 * heartbeating, a few agents changing their health, and restart commands ({@link CapacityRound}),
 * reading CPU-seconds, heap after full GCs, the nodes' message counters and PostgreSQL's rows and
 * WAL. Then {@link CapacityModel} fits the unit costs and reports each round's CPU and heap against
 * its prediction. A round written {@code 1:ping=infinite} (or {@code 1:ping=20s}) runs one node
 * with that WebSocket ping interval ({@code SWITCHBOARD_OPAMP_PING_INTERVAL}), and {@code
 * 1:lastSeen=0s} with every heartbeat written to the agent's row ({@code
 * SWITCHBOARD_STATUS_LAST_SEEN_INTERVAL}); options combine ({@code 1:ping=20s:lastSeen=0s}, the
 * defaults before both were changed), for side-by-side costs. Such rounds are reported but left out
 * of the fit.
 */
public final class CapacityBenchmark {

  static final String DESCRIPTION =
      "The same fleet on local clusters of 1, 2 and 3 node processes: CPU per heartbeat, status change, command and"
          + " forwarded message, heap per agent, PostgreSQL rows and WAL per status change; each round's CPU and heap"
          + " against the model's prediction.";

  /** What the nodes' Kamon counters are snapshotted at: the windows' edges are this exact. */
  static final String METRICS_TICK = "-Dswitchboard.metrics.tick-interval=1s";

  /** The node's ping interval (SWITCHBOARD_OPAMP_PING_INTERVAL), as a system property. */
  static final String PING_INTERVAL = "-Dpekko.http.server.websocket.periodic-keep-alive-max-idle=";

  /** How stale a connected agent's stored last_seen may grow, as a system property. */
  static final String LAST_SEEN_INTERVAL = "-Dswitchboard.status.last-seen-interval=";

  private CapacityBenchmark() {}

  public static void run() throws Exception {
    FleetParameters fleet = FleetParameters.read("1g");
    List<String> rounds = List.of(BenchProperties.text("rounds", "1,2,3").split(","));
    CapacityRound.Settings settings =
        new CapacityRound.Settings(
            fleet,
            BenchProperties.integer("statusAgents", 300),
            BenchProperties.integer("statusChanges", 100),
            BenchProperties.integer("commandRate", 100),
            BenchProperties.duration("commandWarmUp", "30s"),
            BenchProperties.duration("warmUpTimeout", "180s"),
            BenchProperties.duration("settle", "5s"),
            BenchProperties.duration("idleWindow", "20s"),
            BenchProperties.duration("heartbeatWindow", "120s"),
            BenchProperties.duration("window", "40s"));

    BenchReport report = new BenchReport("capacity", DESCRIPTION, Instant.now());
    fleet.addTo(report, "heap limit per node");
    fleet.addSimulatorsTo(report);
    report.parameter("rounds: node processes in each (-Drounds)", String.join(", ", rounds));
    report.parameter(
        "agents of their own changing health, in the status window (-DstatusAgents)",
        settings.churnAgents());
    report.parameter(
        "their health changes a second, together (-DstatusChanges)", settings.statusChanges());
    report.parameter("restart commands a second (-DcommandRate)", settings.commandRate());
    report.parameter(
        "unmeasured commands, and status changes, at their rates before their windows, so each"
            + " window finds its path compiled (-DcommandWarmUp)",
        settings.commandWarmUp());
    WarmUp.addTo(report, settings.warmUpTimeout());
    report.parameter(
        "idle window, the nodes warm once the fleet has gone (-DidleWindow)",
        settings.idleWindow());
    report.parameter(
        "the heartbeating window (-DheartbeatWindow; a whole last-seen interval, so that each agent's"
            + " row is written in it as often as in the steady state)",
        settings.heartbeatWindow());
    report.parameter("the status and command windows (-Dwindow)", settings.window());
    report.parameter("node options added (Kamon snapshots each second)", METRICS_TICK);
    report.parameter("cores", Runtime.getRuntime().availableProcessors());
    report.parameter("load average (1 min) at the start", CapacityRound.loadAverage());

    List<CapacityRound.Result> results = new ArrayList<>();
    for (String round : rounds) {
      String[] parts = round.trim().split(":");
      int nodes = Integer.parseInt(parts[0]);
      List<String> options = new ArrayList<>(List.of(METRICS_TICK));
      String label = nodes + "-node";
      for (int i = 1; i < parts.length; i++) {
        String[] option = parts[i].split("=", 2);
        String property =
            option.length < 2
                ? null
                : switch (option[0]) {
                  case "ping" -> PING_INTERVAL;
                  case "lastSeen" -> LAST_SEEN_INTERVAL;
                  default -> null;
                };
        if (property == null) {
          throw new IllegalArgumentException(
              "-Drounds: '"
                  + round
                  + "' (a node count, then any of :ping=<interval or infinite>"
                  + " :lastSeen=<interval>)");
        }
        options.add(property + option[1]);
        label += "-" + option[0] + "-" + option[1];
      }
      System.out.printf("bench: round %s, %d agents%n", label, fleet.agents());
      try {
        CapacityRound.Result result = CapacityRound.run(label, nodes, options, settings, report);
        results.add(result);
        RawResults.addTo(report, result);
      } catch (Exception e) {
        // On a machine shared with other work a round can fail (a node starved past its lease
        // TTL): the other rounds still count.
        System.out.println("bench: round " + label + " failed: " + e);
        report.note("round " + label + " failed and is left out: " + e.getMessage());
      }
    }
    List<CapacityRound.Result> defaults =
        results.stream().filter(result -> result.label().endsWith("-node")).toList();
    try {
      CapacityModel model = CapacityModel.fit(defaults);
      model.addTo(report, results);
      CapacityRound.Result one =
          defaults.stream().filter(result -> result.nodes() == 1).findFirst().orElseThrow();
      SizingTable.addTo(report, model, one.idle().coresWithoutJit(), one.idleHeapTotal());
    } catch (RuntimeException e) {
      // The rounds' own figures are in the report already: keep them whatever the fit does.
      report.note("the model could not be fitted: " + e);
    }
    report.parameter("load average (1 min) at the end", CapacityRound.loadAverage());
    report.note(
        "CPU is user + system from /proc/<pid>/stat of every node process over each window, the JIT compiler"
            + " threads' part left out; agent messages, status messages and deliveries are the nodes' own counters"
            + " (switchboard_frames_received_total, switchboard_agent_messages_total, switchboard_dispatch_deliveries_total);"
            + " rows are PostgreSQL's n_tup_ins + n_tup_upd + n_tup_del, WAL is pg_current_wal_lsn's advance");
    report.note(
        "fitted, so equal to the prediction by construction: the 1-node round's three windows and the 2-node round's"
            + " heartbeat and command windows; every other CPU ratio (the 3-node round's are the test of the"
            + " remoting costs) and every heap ratio is a prediction");
    report.publish();
  }
}
