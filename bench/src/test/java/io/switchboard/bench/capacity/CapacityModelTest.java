package io.switchboard.bench.capacity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class CapacityModelTest {

  private static final double IDLE_NODE = 0.05;
  private static final double HEARTBEAT = 200e-6;
  private static final double STATUS = 1e-3;
  private static final double COMMAND = 2e-3;
  private static final double FORWARD = 100e-6;
  private static final double FORWARDED_COMMAND = 1.5e-3;
  private static final long IDLE_HEAP = 50L << 20;
  private static final double HEAP_PER_AGENT = 60 * 1024;
  private static final double SECONDS = 60;

  /**
   * A window of a cluster whose costs are exactly the constants above: what a perfectly linear node
   * would measure.
   */
  private static Window window(
      int nodes, int agents, double status, int commands, double forwarded) {
    double heartbeats = agents / 30.0 * SECONDS;
    double frames = heartbeats + status;
    double share = (nodes - 1) / (double) nodes;
    double cores =
        nodes * IDLE_NODE
            + heartbeats / SECONDS * HEARTBEAT
            + status / SECONDS * STATUS
            + commands / SECONDS * COMMAND
            + (share * frames + forwarded) / SECONDS * FORWARD
            + share * commands / SECONDS * FORWARDED_COMMAND;
    double[] perNode = new double[nodes];
    java.util.Arrays.fill(perNode, cores / nodes);
    return new Window(
        SECONDS,
        perNode,
        new double[nodes],
        0.1,
        heartbeats,
        status,
        frames,
        commands - forwarded,
        forwarded,
        (long) (frames * 300 + status * 1000),
        (long) (frames + status),
        (long) frames,
        0,
        (long) (40 * SECONDS));
  }

  private static CapacityRound.Result round(int nodes, int agents) {
    Window idle =
        new Window(
            SECONDS, fill(nodes, IDLE_NODE), new double[nodes], 0.01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    long[] idleHeap = new long[nodes];
    long[] heap = new long[nodes];
    for (int i = 0; i < nodes; i++) {
      idleHeap[i] = IDLE_HEAP;
      heap[i] = IDLE_HEAP + (long) (HEAP_PER_AGENT * agents / nodes);
    }
    int commands = 6000;
    double forwardedDeliveries = nodes == 1 ? 0 : commands * (nodes - 1.0) / nodes;
    return new CapacityRound.Result(
        nodes + "-node",
        nodes,
        agents,
        idle,
        idleHeap,
        30,
        window(nodes, agents, 0, 0, 0),
        heap,
        fill(nodes, agents / (double) nodes),
        window(nodes, agents + 300, 6000, 0, 0),
        window(nodes, agents, 0, commands, forwardedDeliveries),
        commands,
        "1.0");
  }

  private static double[] fill(int length, double value) {
    double[] values = new double[length];
    java.util.Arrays.fill(values, value);
    return values;
  }

  @Test
  void fitsTheUnitCostsOfALinearClusterFromItsOneAndTwoNodeRounds() {
    CapacityModel model = CapacityModel.fit(List.of(round(1, 3000), round(2, 3000)));

    assertEquals(HEARTBEAT, model.heartbeatCoreSeconds(), 1e-9);
    assertEquals(STATUS, model.statusCoreSeconds(), 1e-9);
    assertEquals(COMMAND, model.commandCoreSeconds(), 1e-9);
    assertEquals(FORWARD, model.forwardCoreSeconds(), 1e-9);
    assertEquals(FORWARDED_COMMAND, model.forwardedCommandCoreSeconds(), 1e-9);
    assertEquals(HEAP_PER_AGENT, model.heapBytesPerAgent(), 1.0);
  }

  @Test
  void chargesAStatusChangeOnlyTheRowsAndWalBeyondItsWindowsHeartbeats() {
    CapacityModel model = CapacityModel.fit(List.of(round(1, 3000), round(2, 3000)));

    // A heartbeat writes one row and 300 bytes of WAL; a status change one more row and 1,000 more.
    assertEquals(1.0, model.rowsPerHeartbeat(), 1e-6);
    assertEquals(300.0, model.walBytesPerHeartbeat(), 1e-6);
    assertEquals(2.0, model.databaseRowsPerStatus(), 1e-6);
    assertEquals(1300.0, model.walBytesPerStatus(), 1e-6);
    assertEquals(40.0, model.leaseRowsPerSecond(), 1e-6);
  }

  @Test
  void predictsAThreeNodeRoundItWasNotFittedOn() {
    CapacityModel model = CapacityModel.fit(List.of(round(1, 3000), round(2, 3000)));
    CapacityRound.Result three = round(3, 3000);

    assertEquals(
        three.heartbeats().coresWithoutJit(),
        model.predictCores(three.heartbeats(), three.idle(), 3, 0),
        1e-9);
    assertEquals(
        three.commands().coresWithoutJit(),
        model.predictCores(three.commands(), three.idle(), 3, three.commandsAccepted()),
        1e-9);
    assertEquals(three.heapTotal(), model.predictHeap(three), 3000.0);
  }

  @Test
  void sizesAFleetFromTheUnitCostsWithOneNodeLost() {
    CapacityModel model = CapacityModel.fit(List.of(round(1, 3000), round(2, 3000)));
    List<List<String>> rows = SizingTable.rows(model, IDLE_NODE, IDLE_HEAP);

    assertEquals(7, rows.size(), "a header and 3 fleet sizes at 2 heartbeat intervals");
    // 10,000 agents at 30 s: 2 nodes of which one holds them all when the other is lost: 333.3
    // heartbeats/s and 16.7 status changes/s, none forwarded: 0.05 + 0.0667 + 0.0167 cores.
    // Heap: twice (50 MiB + 10,000 * 60 KiB) rounds up to 2 GiB. PostgreSQL: 333.3 rows/s for the
    // heartbeats, 2 per status change and the leases' 40; WAL 300 B per heartbeat and 1,300 per
    // status change, of
    // which the 1,000 beyond a heartbeat's is history.
    List<String> first = rows.get(1);
    assertEquals(
        List.of(
            "10,000",
            "30 s",
            "2",
            "5,000 (10,000 with one lost)",
            "0.13 cores",
            "2",
            "2 GiB",
            "17",
            "407",
            "122 KB/s"),
        first.subList(0, 10));
    assertEquals(List.of("24", "10.5 GB", "1.4 GB"), first.subList(11, 14));
    // 100,000: 6 nodes of at most 19,000, and a spare.
    assertEquals("7", rows.get(3).get(2));
    assertEquals("14,286 (16,667 with one lost)", rows.get(3).get(3));
    // 1,000,000: 53 and a spare, 12 pooled connections each.
    assertEquals("54", rows.get(6).get(2));
    assertEquals("648", rows.get(6).get(11));
  }

  @Test
  void leavesTheJitCompilersOutOfTheNodesCpu() {
    Window window =
        new Window(
            10, new double[] {0.5, 0.3}, new double[] {0.2, 0.1}, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    assertEquals(0.5, window.coresWithoutJit(), 1e-12);
    assertEquals(0.3, window.compilerCores(), 1e-12);
  }

  @Test
  void sumsOnlyTheSamplesOfTheMetricWithTheLabel() {
    String page =
        """
        # TYPE switchboard_agent_messages_total counter
        switchboard_agent_messages_total{kind="heartbeat"} 600.0
        switchboard_agent_messages_total{kind="status"} 692.0
        switchboard_agent_messages_total_other{kind="status"} 5.0
        switchboard_frames_received_total{transport="websocket"} 1342.0
        """;

    assertEquals(692.0, Counters.sum(page, "switchboard_agent_messages_total", "kind=\"status\""));
    assertEquals(
        0.0, Counters.sum(page, "switchboard_frames_received_total", "transport=\"http\""));
  }
}
