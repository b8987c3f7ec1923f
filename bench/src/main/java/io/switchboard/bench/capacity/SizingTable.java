package io.switchboard.bench.capacity;

import io.switchboard.bench.report.BenchReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The sizing table of docs/capacity.md, computed from the unit costs this run fitted, so that the
 * table and the measurements it rests on come from one run. The assumptions are docs/capacity.md's:
 * one status change per agent every 10 minutes, at most 19,000 agents per node plus one spare node,
 * each node's CPU with one node lost and at most half busy, heap twice the live heap, a write pool
 * of 12 connections per node; the shard leases' renewals as measured (200 shards by default,
 * renewed every 5 s, whatever the fleet).
 */
final class SizingTable {

  /** The session limit a node keeps under the 20,000 open files of a process. */
  static final int MAX_AGENTS_PER_NODE = 19_000;

  static final double STATUS_CHANGES_PER_AGENT_PER_SECOND = 1.0 / 600;
  static final int POOL_CONNECTIONS_PER_NODE = 12;
  static final double MOST_BUSY = 0.5;
  private static final double GIB = 1024.0 * 1024 * 1024;

  private SizingTable() {}

  /**
   * Adds the table: {@code idleNodeCores} is one warm node's without agents (the one-node round's
   * idle window), {@code idleNodeHeapBytes} its heap before the agents.
   */
  static void addTo(
      BenchReport report, CapacityModel model, double idleNodeCores, double idleNodeHeapBytes) {
    report.table(
        "Sizing, from this run's unit costs", rows(model, idleNodeCores, idleNodeHeapBytes));
  }

  /** The table's rows, its header first. */
  static List<List<String>> rows(
      CapacityModel model, double idleNodeCores, double idleNodeHeapBytes) {
    List<List<String>> rows = new ArrayList<>();
    rows.add(
        List.of(
            "agents",
            "heartbeat",
            "nodes (one spare)",
            "agents per node",
            "CPU per node (model, one node lost)",
            "cores per node (at most 50% busy)",
            "heap per node (-Xmx)",
            "status changes/s",
            "PostgreSQL rows/s",
            "WAL/s",
            "PostgreSQL CPU",
            "connections",
            "WAL per day",
            "history kept per day"));
    for (int agents : new int[] {10_000, 100_000, 1_000_000}) {
      for (int heartbeatSeconds : new int[] {30, 60}) {
        rows.add(row(model, idleNodeCores, idleNodeHeapBytes, agents, heartbeatSeconds));
      }
    }
    return rows;
  }

  private static List<String> row(
      CapacityModel model,
      double idleNodeCores,
      double idleNodeHeapBytes,
      int agents,
      int heartbeatSeconds) {
    int nodes = (agents + MAX_AGENTS_PER_NODE - 1) / MAX_AGENTS_PER_NODE + 1;
    int survivors = nodes - 1;
    double perSurvivor = agents / (double) survivors;
    double heartbeats = perSurvivor / heartbeatSeconds;
    double status = perSurvivor * STATUS_CHANGES_PER_AGENT_PER_SECOND;
    double forwarded = (survivors - 1) / (double) survivors * (heartbeats + status);
    double cores =
        idleNodeCores
            + heartbeats * model.heartbeatCoreSeconds()
            + status * model.statusCoreSeconds()
            + forwarded * model.forwardCoreSeconds();
    int coresPerNode = Math.max(2, (int) Math.ceil(cores / MOST_BUSY));
    double heapGib =
        Math.max(
            1, Math.ceil(2 * (idleNodeHeapBytes + perSurvivor * model.heapBytesPerAgent()) / GIB));
    double fleetHeartbeats = agents / (double) heartbeatSeconds;
    double fleetStatus = agents * STATUS_CHANGES_PER_AGENT_PER_SECOND;
    double rows =
        fleetHeartbeats * model.rowsPerHeartbeat()
            + fleetStatus * model.databaseRowsPerStatus()
            + model.leaseRowsPerSecond();
    double wal =
        fleetHeartbeats * model.walBytesPerHeartbeat() + fleetStatus * model.walBytesPerStatus();
    double databaseCores =
        fleetHeartbeats * model.databaseCoreSecondsPerHeartbeat()
            + fleetStatus * model.databaseCoreSecondsPerStatus();
    double history =
        Math.max(0, model.walBytesPerStatus() - model.walBytesPerHeartbeat())
            * fleetStatus
            * 86_400;
    return List.of(
        String.format(Locale.ROOT, "%,d", agents),
        heartbeatSeconds + " s",
        Integer.toString(nodes),
        String.format(
            Locale.ROOT,
            "%,d (%,d with one lost)",
            Math.round(agents / (double) nodes),
            Math.round(perSurvivor)),
        String.format(Locale.ROOT, "%.2f cores", cores),
        Integer.toString(coresPerNode),
        String.format(Locale.ROOT, "%.0f GiB", heapGib),
        String.format(Locale.ROOT, "%,.0f", fleetStatus),
        String.format(Locale.ROOT, "%,.0f", rows),
        bytes(wal) + "/s",
        String.format(Locale.ROOT, "%.1f cores", databaseCores),
        Integer.toString(nodes * POOL_CONNECTIONS_PER_NODE),
        bytes(wal * 86_400),
        bytes(history));
  }

  /** Decimal units, as disks and bandwidth are sold. */
  static String bytes(double bytes) {
    String[] units = {"B", "KB", "MB", "GB", "TB", "PB"};
    int unit = 0;
    while (bytes >= 1000 && unit < units.length - 1) {
      bytes /= 1000;
      unit++;
    }
    return String.format(Locale.ROOT, bytes >= 100 ? "%.0f %s" : "%.1f %s", bytes, units[unit]);
  }
}
