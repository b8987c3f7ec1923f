package io.switchboard.fleetsim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/** {@code fleet-sim [options]}: runs a simulated fleet against a node and reports what happened. */
public final class Main {

  private static final long PROGRESS_EVERY_SECONDS = 5;

  /** Ctrl-C waits this long for the agents' goodbyes and the report. */
  private static final long INTERRUPT_GRACE_SECONDS = 45;

  private Main() {}

  public static void main(String[] args) throws Exception {
    Optional<SimulatorSettings> settings;
    try {
      settings = ArgsParser.parse(args);
    } catch (UsageException e) {
      System.err.println("fleet-sim: " + e.getMessage());
      System.err.println("Run with --help to see the options.");
      System.exit(2);
      return;
    }
    if (settings.isEmpty()) {
      System.out.print(ArgsParser.USAGE);
      return;
    }
    run(settings.get());
  }

  private static void run(SimulatorSettings settings) throws Exception {
    // Logging starts here, before the actor system's threads race to initialise it.
    LoggerFactory.getILoggerFactory();
    System.out.printf(
        "fleet-sim: %d agents against %s for %s (ramp-up %s)%n",
        settings.agents(),
        settings.targets(),
        SimulatorSettings.format(settings.duration()),
        SimulatorSettings.format(settings.rampUp()));
    FleetSimulator simulator = FleetSimulator.start(settings);

    ScheduledExecutorService progress =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "fleet-sim-progress");
              thread.setDaemon(true);
              return thread;
            });
    progress.scheduleAtFixedRate(
        () -> System.out.println(simulator.progress().progressLine()),
        PROGRESS_EVERY_SECONDS,
        PROGRESS_EVERY_SECONDS,
        TimeUnit.SECONDS);
    if (settings.reportEvery().isPresent()) {
      Path report = settings.report().orElseThrow();
      long everyMillis = settings.reportEvery().get().toMillis();
      progress.scheduleAtFixedRate(
          () -> replace(report, simulator.progress().toJson()),
          everyMillis,
          everyMillis,
          TimeUnit.MILLISECONDS);
    }

    // Ctrl-C ends the run early, but still with goodbyes and a report.
    CountDownLatch reported = new CountDownLatch(1);
    Thread onInterrupt =
        new Thread(
            () -> {
              simulator.stop();
              try {
                reported.await(INTERRUPT_GRACE_SECONDS, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "fleet-sim-interrupt");
    Runtime.getRuntime().addShutdownHook(onInterrupt);

    Summary summary = simulator.summary().toCompletableFuture().get();
    // A rewrite of the numbers so far must not land after the final summary.
    progress.shutdown();
    progress.awaitTermination(10, TimeUnit.SECONDS);
    System.out.println(summary.progressLine());
    System.out.print(summary.toJson());
    if (settings.report().isPresent() && replace(settings.report().get(), summary.toJson())) {
      System.out.println("fleet-sim: summary written to " + settings.report().get());
    }
    reported.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(onInterrupt);
    } catch (IllegalStateException alreadyShuttingDown) {
      // Ctrl-C came: the hook is running and has just been released.
    }
  }

  /**
   * Writes the file beside its final name, then moves it there in one step, so that a reader (the
   * bench, while the run lasts) sees either the previous summary or this one, never half of one.
   */
  private static boolean replace(Path report, String json) {
    try {
      Path target = report.toAbsolutePath();
      Files.createDirectories(target.getParent());
      Path written = Files.writeString(target.resolveSibling(target.getFileName() + ".tmp"), json);
      Files.move(
          written, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return true;
    } catch (IOException e) {
      System.err.println("fleet-sim: could not write " + report + ": " + e.getMessage());
      return false;
    }
  }
}
