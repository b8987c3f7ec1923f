package io.switchboard.bench;

import java.io.IOException;
import java.time.Duration;

/**
 * What a server process costs while it holds its connections and nothing else happens: heap in use
 * after a full GC and CPU over a window, each also measured before the connections came.
 *
 * @param idle the process before any connection
 * @param heapBytes heap in use after a full GC with every connection held
 * @param cpuPercentOfCore user + system CPU over the window, in percent of one core
 */
record SteadyState(int connections, Idle idle, long heapBytes, double cpuPercentOfCore) {

  /** The process on its own: heap after a full GC, and CPU over a window. */
  record Idle(long heapBytes, double cpuPercentOfCore) {

    static Idle measure(long pid, Duration window) throws IOException, InterruptedException {
      long heap = JvmProbe.heapUsedAfterFullGc(pid);
      return new Idle(heap, cpuPercent(pid, window));
    }
  }

  static SteadyState measure(long pid, int connections, Idle idle, Duration settle, Duration window)
      throws IOException, InterruptedException {
    Thread.sleep(settle.toMillis());
    long heap = JvmProbe.heapUsedAfterFullGc(pid);
    return new SteadyState(connections, idle, heap, cpuPercent(pid, window));
  }

  /** CPU over the window, which starts a second after the full GC that came before it. */
  private static double cpuPercent(long pid, Duration window) throws IOException, InterruptedException {
    Thread.sleep(1_000);
    long cpuBefore = JvmProbe.cpuNanos(pid);
    long start = System.nanoTime();
    Thread.sleep(window.toMillis());
    return (JvmProbe.cpuNanos(pid) - cpuBefore) * 100.0 / (System.nanoTime() - start);
  }

  double heapPerConnectionKib() {
    return connections == 0 ? Double.NaN : (heapBytes - idle.heapBytes()) / 1024.0 / connections;
  }

  static double mib(long bytes) {
    return bytes / 1024.0 / 1024.0;
  }
}
