package io.switchboard.bench.capacity;

import io.switchboard.bench.cluster.LocalCluster;
import io.switchboard.bench.cluster.LocalNode;
import io.switchboard.bench.report.WarmUp;
import io.switchboard.persistence.DatabaseEndpoint;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads, at one moment, every count the capacity model is built from that does not depend on how
 * busy the machine is: CPU-seconds each node process (and its JIT compiler threads) and the
 * PostgreSQL processes have used, the nodes' own counters of agent messages and deliveries, and
 * PostgreSQL's rows written and WAL position. The shard leases' renewals (every held lease, each
 * renew interval, however many agents) are counted apart from the rows agents cause. Two readings
 * make a {@link Window}.
 */
final class Counters implements AutoCloseable {

  /** One sample line of Prometheus text: name, labels (maybe none), value. */
  private static final Pattern SAMPLE =
      Pattern.compile(
          "^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})? ([0-9.eE+-]+|NaN)$", Pattern.MULTILINE);

  private static final String DATABASE_QUERY =
      """
      SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint,
             (SELECT coalesce(sum(n_tup_ins), 0) FROM pg_stat_user_tables WHERE relname <> 'leases')::bigint,
             (SELECT coalesce(sum(n_tup_upd), 0) FROM pg_stat_user_tables WHERE relname <> 'leases')::bigint,
             (SELECT coalesce(sum(n_tup_del), 0) FROM pg_stat_user_tables WHERE relname <> 'leases')::bigint,
             (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database())::bigint,
             pg_database_size(current_database()),
             (SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)
              FROM pg_stat_user_tables WHERE relname = 'leases')::bigint
      """;

  /**
   * Everything read at one moment. Node values are per node, in the cluster's order.
   *
   * @param nodeCpuNanos user + system CPU of each node process so far
   * @param nodeCompilerNanos of it, the JIT compiler threads'
   * @param databaseCpuNanos the PostgreSQL processes' (postmaster and its children alive now)
   * @param heartbeats agent messages the nodes' entities handled as heartbeats (nothing changed)
   * @param statusMessages agent messages with a change in them
   * @param frames OpAMP messages the nodes decoded from agents' WebSockets
   * @param local messages the server sent agents on its own initiative from the entity's node
   * @param forwarded those sent to a socket on another node
   */
  record Reading(
      long nanos,
      long[] nodeCpuNanos,
      long[] nodeCompilerNanos,
      long databaseCpuNanos,
      double heartbeats,
      double statusMessages,
      double frames,
      double local,
      double forwarded,
      long walBytes,
      long rowsInserted,
      long rowsUpdated,
      long rowsDeleted,
      long commits,
      long databaseBytes,
      long leaseRows) {}

  private final List<LocalNode> nodes;
  private final Optional<Long> databasePid;
  private final Connection database;

  private Counters(List<LocalNode> nodes, Optional<Long> databasePid, Connection database) {
    this.nodes = nodes;
    this.databasePid = databasePid;
    this.database = database;
  }

  static Counters open(LocalCluster cluster) throws SQLException {
    DatabaseEndpoint endpoint =
        cluster
            .database()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "the capacity scenario needs the bench's own PostgreSQL"))
            .endpoint();
    Connection connection =
        DriverManager.getConnection(endpoint.jdbcUrl(), endpoint.user(), endpoint.password());
    return new Counters(cluster.nodes(), cluster.databasePid(), connection);
  }

  Reading read() throws IOException, SQLException {
    long[] cpu = new long[nodes.size()];
    long[] compiler = new long[nodes.size()];
    double heartbeats = 0;
    double status = 0;
    double frames = 0;
    double local = 0;
    double forwarded = 0;
    for (int i = 0; i < nodes.size(); i++) {
      LocalNode node = nodes.get(i);
      WarmUp.Cpu used = WarmUp.Cpu.of(node.pid());
      cpu[i] = used.processNanos();
      compiler[i] = used.compilerNanos();
      String page =
          node.metricsPage()
              .orElseThrow(() -> new IOException(node.name() + "'s /metrics did not answer"));
      heartbeats += sum(page, "switchboard_agent_messages_total", "kind=\"heartbeat\"");
      status += sum(page, "switchboard_agent_messages_total", "kind=\"status\"");
      frames += sum(page, "switchboard_frames_received_total", "transport=\"websocket\"");
      local += sum(page, "switchboard_dispatch_deliveries_total", "route=\"local\"");
      forwarded += sum(page, "switchboard_dispatch_deliveries_total", "route=\"forwarded\"");
    }
    long databaseCpu = databaseCpuNanos();
    try (Statement statement = database.createStatement();
        ResultSet row = statement.executeQuery(DATABASE_QUERY)) {
      row.next();
      return new Reading(
          System.nanoTime(),
          cpu,
          compiler,
          databaseCpu,
          heartbeats,
          status,
          frames,
          local,
          forwarded,
          row.getLong(1),
          row.getLong(2),
          row.getLong(3),
          row.getLong(4),
          row.getLong(5),
          row.getLong(6),
          row.getLong(7));
    }
  }

  /**
   * CPU of the postmaster and every process below it now (its backends, checkpointer, WAL writer).
   */
  private long databaseCpuNanos() {
    if (databasePid.isEmpty()) {
      return 0;
    }
    List<ProcessHandle> processes = new ArrayList<>();
    ProcessHandle.of(databasePid.get())
        .ifPresent(
            postmaster -> {
              processes.add(postmaster);
              postmaster.descendants().forEach(processes::add);
            });
    long total = 0;
    for (ProcessHandle process : processes) {
      try {
        total += WarmUp.Cpu.of(process.pid()).processNanos();
      } catch (IOException ended) {
        // A backend that ended between the listing and the read: its CPU is gone with it.
      }
    }
    return total;
  }

  /** The sum of every sample of {@code metric} whose labels contain {@code label}. */
  static double sum(String page, String metric, String label) {
    double total = 0;
    Matcher matcher = SAMPLE.matcher(page);
    while (matcher.find()) {
      String labels = matcher.group(2) == null ? "" : matcher.group(2);
      if (matcher.group(1).equals(metric) && labels.contains(label)) {
        String value = matcher.group(3);
        total += value.equals("NaN") ? 0 : Double.parseDouble(value);
      }
    }
    return total;
  }

  @Override
  public void close() throws SQLException {
    database.close();
  }
}
