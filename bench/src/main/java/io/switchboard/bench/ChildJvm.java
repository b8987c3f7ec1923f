package io.switchboard.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A JVM the bench started (a node, the echo server), its output in a log file. Every one is stopped
 * when the bench ends, however it ends: {@link #close()}, or the shutdown hook for the rest. {@code
 * afterExit} cleans up what the JVM may leave behind when it dies (an embedded PostgreSQL runs
 * detached from it).
 */
public final class ChildJvm implements AutoCloseable {

  private static final Set<ChildJvm> RUNNING = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> RUNNING.forEach(ChildJvm::close), "bench-stop-children"));
  }

  private final String name;
  private final Process process;
  private final Path log;
  private final Runnable afterExit;

  private ChildJvm(String name, Process process, Path log, Runnable afterExit) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.afterExit = afterExit;
  }

  public static ChildJvm start(
      String name,
      List<String> jvmOptions,
      String classpath,
      String mainClass,
      List<String> args,
      Map<String, String> env,
      Path log,
      Runnable afterExit)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(classpath);
    command.add(mainClass);
    command.addAll(args);
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(env);
    ChildJvm child = new ChildJvm(name, builder.start(), log, afterExit);
    RUNNING.add(child);
    return child;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public Path log() {
    return log;
  }

  public String name() {
    return name;
  }

  /** SIGKILL, as a crashing machine would; waits until the process is gone. */
  public void kill() {
    process.destroyForcibly();
    awaitExit(30);
    ended();
  }

  /** SIGTERM, so that the JVM runs its shutdown hooks; SIGKILL if it has not ended after 30 s. */
  @Override
  public void close() {
    stop(Duration.ofSeconds(30));
  }

  /**
   * SIGTERM, then SIGKILL if the JVM has not ended within {@code grace}; whether it ended by
   * itself, shutdown hooks done.
   */
  public boolean stop(Duration grace) {
    process.destroy();
    boolean endedByItself = awaitExit(grace.toSeconds());
    if (!endedByItself) {
      process.destroyForcibly();
      awaitExit(30);
    }
    ended();
    return endedByItself;
  }

  private boolean awaitExit(long seconds) {
    try {
      return process.waitFor(seconds, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private void ended() {
    if (RUNNING.remove(this)) {
      afterExit.run();
    }
  }
}
