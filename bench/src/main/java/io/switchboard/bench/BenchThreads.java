package io.switchboard.bench;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** Threads the bench's own timers run on. */
public final class BenchThreads {

  private BenchThreads() {}

  /**
   * One timer thread named {@code name}, a daemon: a scenario that fails before stopping its timer
   * still lets the bench JVM end.
   */
  public static ScheduledExecutorService daemonScheduler(String name) {
    return Executors.newSingleThreadScheduledExecutor(
        task -> {
          Thread thread = new Thread(task, name);
          thread.setDaemon(true);
          return thread;
        });
  }
}
