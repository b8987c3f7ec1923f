package io.switchboard.fleetsim;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;

/** One simulator run in this JVM: its own actor system, ended when the run is. */
public final class FleetSimulator {

  private final ActorSystem<Fleet.Command> system;
  private final FleetStats stats;
  private final CompletionStage<Summary> summary;

  private FleetSimulator(SimulatorSettings settings, AgentObserver observer) {
    this.stats = new FleetStats(settings.agents());
    CompletableFuture<Summary> done = new CompletableFuture<>();
    this.system =
        ActorSystem.create(Fleet.create(settings, stats, observer, done), "fleet-sim", config());
    // Once the system is down; should the fleet have failed before its summary, the numbers so far.
    this.summary =
        system.getWhenTerminated().thenApply(terminated -> done.getNow(stats.snapshot()));
  }

  /** Starts the run; it stops by itself after the settings' duration. */
  public static FleetSimulator start(SimulatorSettings settings) {
    return start(settings, AgentObserver.NONE);
  }

  /**
   * Starts the run with an observer that sees sessions, commands and config reports as they happen.
   */
  public static FleetSimulator start(SimulatorSettings settings, AgentObserver observer) {
    return new FleetSimulator(settings, observer);
  }

  /** The numbers so far. */
  public Summary progress() {
    return stats.snapshot();
  }

  /** Ends the run early: every agent disconnects as at the end of the duration. */
  public void stop() {
    system.tell(Fleet.Stop.INSTANCE);
  }

  /** Completes when every agent has stopped and the actor system is down. */
  public CompletionStage<Summary> summary() {
    return summary;
  }

  /**
   * The simulator's own configuration, never the classpath's application.conf: in a test that is
   * the node's, which would make this system a cluster member. Public so that other clients
   * measured against the same server (the bench's echo floor) connect with the same settings.
   */
  public static Config config() {
    return ConfigFactory.defaultOverrides()
        .withFallback(ConfigFactory.parseResources("fleet-sim.conf"))
        .withFallback(ConfigFactory.defaultReference())
        .resolve();
  }
}
