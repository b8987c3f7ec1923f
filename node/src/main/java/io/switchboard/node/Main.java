package io.switchboard.node;

import com.typesafe.config.ConfigFactory;
import org.slf4j.LoggerFactory;

/** Starts one node from application.conf, the environment and system properties. */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    SwitchboardNode node;
    try {
      node = SwitchboardNode.start(ConfigFactory.load());
    } catch (Exception e) {
      // Exception, not RuntimeException: Scala libraries throw checked ones undeclared (a port in
      // use). Metrics and database threads may already run; a node that cannot start must exit.
      LoggerFactory.getLogger(Main.class).error("Switchboard node failed to start: {}", e.getMessage(), e);
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(node::close, "switchboard-shutdown"));
    node.whenTerminated().toCompletableFuture().join();
  }
}
