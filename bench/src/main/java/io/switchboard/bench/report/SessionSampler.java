package io.switchboard.bench.report;

import io.switchboard.bench.BenchThreads;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Calls {@code sample} once a second with the seconds since the sampler started (or since a start
 * the scenario names, for a timeline shared with its own events), until closed.
 */
public final class SessionSampler implements AutoCloseable {

  private final ScheduledExecutorService executor = BenchThreads.daemonScheduler("bench-sampler");
  private final long startNanos;

  public SessionSampler(Consumer<Double> sample) {
    this(System.nanoTime(), sample);
  }

  /** {@code startNanos}: the {@link System#nanoTime()} the seconds count from. */
  public SessionSampler(long startNanos, Consumer<Double> sample) {
    this.startNanos = startNanos;
    executor.scheduleAtFixedRate(
        () -> {
          try {
            sample.accept(secondsSinceStart());
          } catch (RuntimeException e) {
            // One failed sample (a scrape while the node is busy) must not end the sampling.
            System.err.println("bench: sample failed: " + e);
          }
        },
        0,
        1,
        TimeUnit.SECONDS);
  }

  public double secondsSinceStart() {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
