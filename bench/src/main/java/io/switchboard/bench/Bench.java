package io.switchboard.bench;

import io.switchboard.bench.capacity.CapacityBenchmark;
import io.switchboard.bench.fleet.SimulatorJvms;
import io.switchboard.bench.scenario.AgentQueryBenchmark;
import io.switchboard.bench.scenario.AssignmentBenchmark;
import io.switchboard.bench.scenario.ConnectStormBenchmark;
import io.switchboard.bench.scenario.DispatchLatencyBenchmark;
import io.switchboard.bench.scenario.FailoverBenchmark;
import io.switchboard.bench.scenario.RolloutBenchmark;
import io.switchboard.bench.scenario.StatusWriteBenchmark;
import java.util.Map;
import java.util.TreeMap;

/**
 * Runs one named benchmark and prints its report as markdown (the fleet scenarios also write it,
 * with JSON and a plot, into bench/results): {@code ./mvnw -q -pl bench exec:java
 * -Dexec.args=status-writes}, once the modules are installed (see the README's performance
 * section). connect-storm and failover run their simulated agents in fleet-sim JVMs of their own
 * ({@link SimulatorJvms}); dispatch-latency keeps its agents in this JVM, where they time each
 * command on the bench's clock.
 */
public final class Bench {

  /** Sorted, so that the usage text lists them in a stable order. */
  private static final Map<String, String> SCENARIOS =
      new TreeMap<>(
          Map.of(
              "status-writes",
                  "agent status updates through the status writer, against the raw unnest upsert",
              "agent-queries", "the operator's agent list queries on 100,000 agents",
              "assignments",
                  "standing assignments on 100,000 agents: one assignment re-evaluated (set-based), a new agent's first-message match",
              "connect-storm",
                  "N WebSocket agents connect to one node process; heap and CPU against a bare echo server",
              "dispatch-latency",
                  "commands through the operator API at a steady rate to N connected agents: submit to receipt and to APPLIED",
              "failover",
                  "K node processes (-Dnodes, 3), N agents from S simulator JVMs straight to the nodes; each node's"
                      + " sessions, heap and CPU, then one node SIGKILLed: time until every agent is back",
              "capacity",
                  "the same fleet on 1, 2 and 3 node processes: unit costs (CPU per heartbeat, status change, command,"
                      + " forwarded message; heap per agent; rows and WAL per status change) and the model's predictions",
              "rollout",
                  "one remote config sent to every agent of a node at once, then the next version rolled out in batches:"
                      + " call to receipt and to APPLIED, time until COMPLETED, per batch"));

  private Bench() {}

  public static void main(String[] args) throws Exception {
    String scenario = args.length == 1 ? args[0] : "";
    switch (scenario) {
      case "status-writes" -> StatusWriteBenchmark.run();
      case "agent-queries" -> AgentQueryBenchmark.run();
      case "assignments" -> AssignmentBenchmark.run();
      case "connect-storm" -> ConnectStormBenchmark.run();
      case "dispatch-latency" -> DispatchLatencyBenchmark.run();
      case "failover" -> FailoverBenchmark.run();
      case "rollout" -> RolloutBenchmark.run();
      case "capacity" -> CapacityBenchmark.run();
      default -> {
        System.err.println("usage: Bench <scenario>, one of:");
        SCENARIOS.forEach((name, what) -> System.err.println("  " + name + ": " + what));
        System.exit(2);
      }
    }
    System.exit(0);
  }
}
