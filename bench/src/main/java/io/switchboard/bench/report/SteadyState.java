package io.switchboard.bench.report;

import java.io.IOException;
import java.time.Duration;

/**
 * What a server process costs while it holds its connections and nothing else happens: heap in use
 * after a full GC and CPU over a window, each also measured before the connections came.
 *
 * @param idle the process before any connection
 * @param heapBytes heap in use after a full GC with every connection held
 * @param cpuPercentOfCore user + system CPU over the window, in percent of one core
 * @param compilerPercentOfCpu the JIT compiler threads' part of that CPU, in percent of it: what
 *     warm-up still leaked into the window
 */
public record SteadyState(
    int connections,
    Idle idle,
    long heapBytes,
    double cpuPercentOfCore,
    double compilerPercentOfCpu) {

  /** The process on its own: heap after a full GC, and CPU over a window. */
  public record Idle(long heapBytes, double cpuPercentOfCore) {

    public static Idle measure(long pid, Duration window) throws IOException, InterruptedException {
      long heap = JvmProbe.heapUsedAfterFullGc(pid);
      return new Idle(heap, Window.measure(pid, window).cpuPercentOfCore());
    }
  }

  public static SteadyState measure(
      long pid, int connections, Idle idle, Duration settle, Duration window)
      throws IOException, InterruptedException {
    Thread.sleep(settle.toMillis());
    long heap = JvmProbe.heapUsedAfterFullGc(pid);
    Window cpu = Window.measure(pid, window);
    return new SteadyState(
        connections, idle, heap, cpu.cpuPercentOfCore(), cpu.compilerPercentOfCpu());
  }

  /** CPU over a window, which starts a second after the full GC that came before it. */
  private record Window(double cpuPercentOfCore, double compilerPercentOfCpu) {

    static Window measure(long pid, Duration window) throws IOException, InterruptedException {
      Thread.sleep(1_000);
      WarmUp.Cpu before = WarmUp.Cpu.of(pid);
      long start = System.nanoTime();
      Thread.sleep(window.toMillis());
      WarmUp.Cpu after = WarmUp.Cpu.of(pid);
      return new Window(
          (after.processNanos() - before.processNanos()) * 100.0 / (System.nanoTime() - start),
          WarmUp.compilerPercent(before, after));
    }
  }

  public double heapPerConnectionKib() {
    return connections == 0 ? Double.NaN : (heapBytes - idle.heapBytes()) / 1024.0 / connections;
  }

  public static double mib(long bytes) {
    return bytes / 1024.0 / 1024.0;
  }
}
