package io.switchboard.bench.capacity;

/**
 * What happened between two {@link Counters.Reading}s: the nodes' CPU with and without their JIT
 * compilers, PostgreSQL's CPU, and the counts the model divides it by; rows are those agents and
 * commands cause, the leases' renewals apart. Rates are per second of the window.
 */
record Window(
    double seconds,
    double[] nodeCores,
    double[] nodeCompilerCores,
    double databaseCores,
    double heartbeats,
    double statusMessages,
    double frames,
    double local,
    double forwarded,
    long walBytes,
    long rowsWritten,
    long commits,
    long databaseBytes,
    long leaseRows) {

  static Window between(Counters.Reading before, Counters.Reading after) {
    double seconds = (after.nanos() - before.nanos()) / 1e9;
    int nodes = before.nodeCpuNanos().length;
    double[] cores = new double[nodes];
    double[] compiler = new double[nodes];
    for (int i = 0; i < nodes; i++) {
      cores[i] = (after.nodeCpuNanos()[i] - before.nodeCpuNanos()[i]) / 1e9 / seconds;
      compiler[i] =
          Math.max(0, after.nodeCompilerNanos()[i] - before.nodeCompilerNanos()[i]) / 1e9 / seconds;
    }
    return new Window(
        seconds,
        cores,
        compiler,
        Math.max(0, after.databaseCpuNanos() - before.databaseCpuNanos()) / 1e9 / seconds,
        after.heartbeats() - before.heartbeats(),
        after.statusMessages() - before.statusMessages(),
        after.frames() - before.frames(),
        after.local() - before.local(),
        after.forwarded() - before.forwarded(),
        after.walBytes() - before.walBytes(),
        (after.rowsInserted() - before.rowsInserted())
            + (after.rowsUpdated() - before.rowsUpdated())
            + (after.rowsDeleted() - before.rowsDeleted()),
        after.commits() - before.commits(),
        after.databaseBytes() - before.databaseBytes(),
        after.leaseRows() - before.leaseRows());
  }

  /** All nodes' CPU, in cores, their JIT compilers' left out: what a warm node would use. */
  double coresWithoutJit() {
    double total = 0;
    for (int i = 0; i < nodeCores.length; i++) {
      total += nodeCores[i] - nodeCompilerCores[i];
    }
    return total;
  }

  /** All nodes' JIT compilers' CPU, in cores. */
  double compilerCores() {
    double total = 0;
    for (double cores : nodeCompilerCores) {
      total += cores;
    }
    return total;
  }

  double framesPerSecond() {
    return frames / seconds;
  }

  double statusPerSecond() {
    return statusMessages / seconds;
  }

  double walBytesPerSecond() {
    return walBytes / seconds;
  }

  double rowsPerSecond() {
    return rowsWritten / seconds;
  }

  /** The shard leases' renewals: a cost of the cluster, not of its agents. */
  double leaseRowsPerSecond() {
    return leaseRows / seconds;
  }

  double commitsPerSecond() {
    return commits / seconds;
  }
}
