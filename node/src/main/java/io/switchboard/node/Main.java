package io.switchboard.node;

import java.util.List;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/** Starts one node from application.conf, the environment and system properties. */
public final class Main {

  private static final String COMMON_POOL_PARALLELISM =
      "java.util.concurrent.ForkJoinPool.common.parallelism";

  private Main() {}

  public static void main(String[] args) {
    // With one or two cores the common pool gets one thread, and CompletableFuture then starts a
    // thread for every asynchronous callback. Pekko's answers to asks run their callbacks that way,
    // so each agent poll and each dispatch started a thread. Set before anything uses the pool.
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
      System.setProperty(
          COMMON_POOL_PARALLELISM,
          Integer.toString(Math.max(2, Runtime.getRuntime().availableProcessors() - 1)));
    }
    if (args.length > 0 && args[0].equals("reset-password")) {
      resetPassword(args);
      return;
    }
    SwitchboardNode node;
    try {
      node = SwitchboardNode.start(NodeConfig.load());
    } catch (Exception e) {
      // Exception, not RuntimeException: Scala libraries throw checked ones undeclared (a port in
      // use). Metrics and database threads may already run; a node that cannot start must exit.
      LoggerFactory.getLogger(Main.class)
          .error("Switchboard node failed to start: {}", e.getMessage(), e);
      System.exit(1);
      return;
    }
    // The embedded PostgreSQL stops from a JVM shutdown hook of its own, and the JVM runs all its
    // hooks at once: the node's last status writes found the database gone. So TERM and INT
    // (Ctrl-C)
    // shut the node down first, database last, and only then exit; the hook stays for other exits.
    for (String signal : List.of("TERM", "INT")) {
      Signal.handle(
          new Signal(signal),
          received -> new Thread(() -> exitAfter(node), "switchboard-shutdown").start());
    }
    Runtime.getRuntime().addShutdownHook(new Thread(node::close, "switchboard-shutdown-hook"));
    node.whenTerminated().toCompletableFuture().join();
  }

  /** {@code reset-password [username]}: see {@link ResetPassword}. */
  private static void resetPassword(String[] args) {
    com.typesafe.config.Config config = NodeConfig.load();
    String username =
        args.length > 1 ? args[1] : config.getString("switchboard.api.auth.admin-user");
    try {
      if (ResetPassword.run(config, username)) {
        System.out.println(
            "Reset the password of "
                + username
                + "; the new one is in "
                + java.nio.file.Path.of(config.getString("switchboard.data-dir"), "admin-password")
                    .toAbsolutePath());
        System.exit(0);
      }
      System.err.println("No local account named " + username);
      System.exit(2);
    } catch (Exception e) {
      System.err.println("Could not reset the password of " + username + ": " + e.getMessage());
      System.exit(1);
    }
  }

  private static void exitAfter(SwitchboardNode node) {
    node.close();
    System.exit(0);
  }
}
