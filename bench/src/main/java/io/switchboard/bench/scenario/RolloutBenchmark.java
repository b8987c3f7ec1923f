package io.switchboard.bench.scenario;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.switchboard.bench.BenchProperties;
import io.switchboard.bench.cluster.OperatorApiClient;
import io.switchboard.bench.fleet.ConfigArrivals;
import io.switchboard.bench.fleet.ConnectedFleet;
import io.switchboard.bench.fleet.FleetParameters;
import io.switchboard.bench.report.BenchReport;
import io.switchboard.bench.report.WarmUp;
import io.switchboard.bench.report.WatchedRollout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

/**
 * {@code rollout}: N simulated agents connected to one node process, or spread over a cluster of
 * {@code -Dnodes} (the operator calls go to the first node's API). First one remote-config change
 * for every agent at once, the way an operator makes it: a rollout of one batch ({@code POST
 * /api/rollouts} without a strategy) of a published version to the selector that matches every
 * agent. The agents record when it arrives and when they report it APPLIED. Then a rollout of the
 * next version to every agent in batches ({@code -DrolloutPlan}), read from the API until it
 * completes: the time to COMPLETED, and how long each batch was current. Unmeasured fan-outs go
 * first ({@code -DwarmUpFanOuts}, and on until one runs with the node's JIT quiet): a node that has
 * only taken connections has not compiled its fan-out path yet, and a long-running node has.
 */
public final class RolloutBenchmark {

  static final String DESCRIPTION =
      "One remote-config change sent to every agent at once (POST /api/rollouts, one batch), then a rollout of"
          + " the next version in batches (POST /api/rollouts): from the call to each agent's receipt and APPLIED"
          + " report, and until the API shows the rollout COMPLETED, batch by batch.";

  private static final String CONFIGURATION = "bench-rollout";

  private RolloutBenchmark() {}

  /** A published version of the bench's configuration, and the hash agents receive it under. */
  record Version(int number, ByteString configHash) {}

  public static void run() throws Exception {
    FleetParameters fleet = FleetParameters.read("2g");
    int nodes = BenchProperties.integer("nodes", 1);
    String plan = BenchProperties.text("rolloutPlan", "canary:1:2");
    ObjectNode strategy = BatchPlan.strategy(plan);
    Duration tick = BenchProperties.duration("rolloutTick", "2s");
    Duration changeTimeout = BenchProperties.duration("changeTimeout", "60s");
    Duration rolloutTimeout = BenchProperties.duration("rolloutTimeout", "300s");
    int warmUpFanOuts = BenchProperties.integer("warmUpFanOuts", 1);
    Duration warmUpTimeout = WarmUp.timeout();

    BenchReport report = new BenchReport("rollout", DESCRIPTION, Instant.now());
    fleet.addTo(report, "node heap limit");
    report.parameter("nodes (-Dnodes; several form one cluster on a shared PostgreSQL)", nodes);
    report.parameter(
        "batch plan of the rollout (-DrolloutPlan: all, fixed:<size>, percentage:<percent>, canary:<first>[:<factor>])",
        plan);
    report.parameter(
        "rollout driver tick, switchboard.rollouts.tick (-DrolloutTick; the node's default is 2s)",
        tick);
    report.parameter("wait for the change to reach every agent (-DchangeTimeout)", changeTimeout);
    report.parameter("wait for the rollout to complete (-DrolloutTimeout)", rolloutTimeout);
    report.parameter(
        "unmeasured fan-outs to every agent first, at least (-DwarmUpFanOuts; then on until one runs with the node's JIT quiet)",
        warmUpFanOuts);
    WarmUp.addTo(report, warmUpTimeout);
    report.parameter("rollout read from the API every", WatchedRollout.READ_INTERVAL);
    report.parameter("cores", Runtime.getRuntime().availableProcessors());
    report.parameter("load average (1 min) at the start", loadAverage());

    // Long enough for the connections, the node's records of them, both changes and some slack.
    Duration runFor =
        fleet
            .connectTimeout()
            .plus(changeTimeout.multipliedBy(1 + warmUpFanOuts))
            .plus(warmUpTimeout)
            .plus(rolloutTimeout)
            .plus(Duration.ofSeconds(120));
    List<String> nodeOptions = List.of("-Dswitchboard.rollouts.tick=" + tick.toMillis() + "ms");
    long startNanos = System.nanoTime();
    ConfigArrivals arrivals = new ConfigArrivals();
    try (ConnectedFleet connected =
        ConnectedFleet.start(
            "rollout-node", nodes, nodeOptions, fleet, runFor, startNanos, arrivals, report)) {
      OperatorApiClient api = connected.api();
      api.post(
              "/api/configurations",
              OperatorApiClient.object()
                  .put("name", CONFIGURATION)
                  .put("description", "the rollout bench's"))
          .expect(201, "POST /api/configurations");
      Version assigned = publish(api, "assigned to every agent at once");
      Version rolledOut = publish(api, "rolled out in batches");
      report.result(
          "agents_connected", "agents that held a session", connected.agents().size(), "");
      if (warmUpFanOuts > 0) {
        warmUp(
            api,
            arrivals,
            connected,
            warmUpFanOuts,
            changeTimeout,
            warmUpTimeout,
            startNanos,
            report);
      }

      System.out.printf("bench: assigning version %d to every agent%n", assigned.number());
      WatchedRollout assignment =
          WatchedRollout.create(
              api, "/api/rollouts", rolloutBody(assigned, null), changeTimeout, startNanos, report);
      awaitReports(
          arrivals,
          assigned,
          connected.agents(),
          assignment.calledNanos() + changeTimeout.toNanos());
      RolloutResults.fanOutResults(
          report, assignment, arrivals, assigned, connected.agents(), startNanos);
      RolloutResults.nodeSideOfFanOut(report, api, assignment, connected.agents());
      if (assignment.active()) {
        // Two rollouts at once would measure each other: the operator gives up on the first.
        api.post(assignment.path() + "/abort", null)
            .expect(200, "POST " + assignment.path() + "/abort");
        report.note(
            "the assignment, "
                + assignment.watch().state()
                + " after -DchangeTimeout, was aborted before the rollout was created");
      }

      System.out.printf("bench: rolling out version %d, plan %s%n", rolledOut.number(), plan);
      WatchedRollout rollout =
          WatchedRollout.create(
              api,
              "/api/rollouts",
              rolloutBody(rolledOut, strategy),
              rolloutTimeout,
              startNanos,
              report);
      awaitReports(
          arrivals,
          rolledOut,
          connected.agents(),
          rollout.calledNanos() + rolloutTimeout.toNanos());
      RolloutResults.rolloutResults(
          report, rollout, arrivals, rolledOut, connected.agents(), startNanos);

      if (!connected.progress().errors().isEmpty()) {
        report.note("errors the agents saw: " + connected.progress().errors());
      }
      if (api.connectRetries() > 0) {
        report.note(
            "API calls whose connection failed and was made again: " + api.connectRetries());
      }
    }
    report.parameter("load average (1 min) at the end", loadAverage());
    report.note(
        "the rollout driver (a cluster singleton) starts an assignment or rollout as soon as it is created; it judges"
            + " the current batch at each tick and, at the first tick after every agent of the batch has an outcome,"
            + " moves on and starts the next batch at once");
    report.note(
        "an agent takes 50-250 ms (at random) to apply a config before it reports APPLIED, as the simulator's agents do;"
            + " call-to-APPLIED includes that");
    report.note(
        "'the API showed it COMPLETED after' is when an answer of GET /api/rollouts/{id} first showed it (up to one"
            + " read interval and a round trip late, and the API answers slowly during a fan-out); batch times and"
            + " created-to-COMPLETED by the node's clock come from the rollout's created_at and updated_at");
    report.publish();
  }

  /**
   * Unmeasured fan-outs to every agent, at least {@code least}, and on until one ran with the
   * node's JIT compilers at most {@link WarmUp#QUIET_SHARE} of its CPU, starting none after {@code
   * timeout}. Waiting for the JIT with the node idle would end as soon as nothing new is called,
   * not when the fan-out's path is compiled (as dispatch-latency found).
   */
  private static void warmUp(
      OperatorApiClient api,
      ConfigArrivals arrivals,
      ConnectedFleet connected,
      int least,
      Duration changeTimeout,
      Duration timeout,
      long startNanos,
      BenchReport report)
      throws Exception {
    long endNanos = System.nanoTime() + timeout.toNanos();
    int fanOuts = 0;
    double jitPercent;
    do {
      fanOuts++;
      WarmUp.Cpu before = WarmUp.Cpu.ofAll(connected.pids());
      fanOut(
          api,
          publish(api, "warm-up " + fanOuts),
          arrivals,
          connected.agents(),
          changeTimeout,
          startNanos,
          report);
      jitPercent = WarmUp.compilerPercent(before, WarmUp.Cpu.ofAll(connected.pids()));
      System.out.printf(
          "bench: warm-up fan-out %d, the nodes' JIT %.0f%% of their CPU%n", fanOuts, jitPercent);
    } while (fanOuts < least
        || (jitPercent > WarmUp.QUIET_SHARE * 100 && System.nanoTime() < endNanos));
    report.result("warm_up_fan_outs", "unmeasured warm-up fan-outs", fanOuts, "");
    report.result(
        "warm_up_last_jit_percent",
        "the nodes' JIT compilers' part of their CPU in the last of them",
        jitPercent,
        "%");
  }

  /**
   * One unmeasured assignment of {@code version} to every agent, until each has reported on it (its
   * readings go to a report that is not published).
   */
  private static void fanOut(
      OperatorApiClient api,
      Version version,
      ConfigArrivals arrivals,
      List<String> agents,
      Duration timeout,
      long startNanos,
      BenchReport report)
      throws Exception {
    System.out.printf("bench: warm-up, assigning version %d to every agent%n", version.number());
    BenchReport unpublished = new BenchReport("rollout-warm-up", "", Instant.now());
    WatchedRollout warmUp =
        WatchedRollout.create(
            api, "/api/rollouts", rolloutBody(version, null), timeout, startNanos, unpublished);
    awaitReports(arrivals, version, agents, warmUp.calledNanos() + timeout.toNanos());
    if (warmUp.active()) {
      api.post(warmUp.path() + "/abort", null).expect(200, "POST " + warmUp.path() + "/abort");
      report.note(
          "a warm-up assignment, "
              + warmUp.watch().state()
              + " after -DchangeTimeout, was aborted");
    }
  }

  /** Adds a version with a config of its own to the bench's configuration and publishes it. */
  private static Version publish(OperatorApiClient api, String marker) throws Exception {
    String versions = "/api/configurations/" + CONFIGURATION + "/versions";
    OperatorApiClient.Answer draft =
        api.post(versions, OperatorApiClient.collectorConfig(marker))
            .expect(201, "POST " + versions);
    int number = draft.body().path("version").asInt();
    api.post(versions + "/" + number + "/publish", null)
        .expect(200, "POST " + versions + "/" + number + "/publish");
    return new Version(
        number, ByteString.copyFrom(HexFormat.of().parseHex(draft.field("config_hash"))));
  }

  /** The body of a rollout of the version to every agent, at once when {@code strategy} is null. */
  private static ObjectNode rolloutBody(Version version, ObjectNode strategy) {
    ObjectNode body =
        OperatorApiClient.object()
            .put("configuration", CONFIGURATION)
            .put("version", version.number());
    body.putObject("selector");
    if (strategy != null) {
      body.set("strategy", strategy);
    }
    return body;
  }

  /**
   * Waits until every agent has reported the version APPLIED or FAILED, or the deadline: a
   * completed rollout has every report already, one that stopped otherwise may not.
   */
  private static void awaitReports(
      ConfigArrivals arrivals, Version version, List<String> agents, long deadlineNanos)
      throws InterruptedException {
    while (System.nanoTime() < deadlineNanos
        && arrivals.applied(version.configHash()).size()
                + arrivals.failed(version.configHash()).size()
            < agents.size()) {
      Thread.sleep(100);
    }
  }

  /**
   * Other processes share the machine (the bench is meant for a quiet one): their load says how
   * quiet it was.
   */
  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }
}
