package io.switchboard.node;

import com.typesafe.config.ConfigFactory;

/** Starts one node from application.conf, the environment and system properties. */
public final class Main {

  private Main() {}

  public static void main(String[] args) throws Exception {
    SwitchboardNode node = SwitchboardNode.start(ConfigFactory.load());
    Runtime.getRuntime().addShutdownHook(new Thread(node::close, "switchboard-shutdown"));
    node.whenTerminated().toCompletableFuture().join();
  }
}
