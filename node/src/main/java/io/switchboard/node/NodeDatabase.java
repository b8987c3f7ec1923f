package io.switchboard.node;

import io.switchboard.persistence.Database;
import io.switchboard.persistence.DatabaseRuntime;
import io.switchboard.persistence.DatabaseSettings;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * The node's database as an actor-system extension, so that everything holding the system (the
 * readiness check among them) reaches the same one. Opened on first use; closed, after everything
 * else, when the system shuts down.
 */
public final class NodeDatabase implements Extension {

  private static final Id ID = new Id();

  private final DatabaseRuntime runtime;

  private NodeDatabase(ActorSystem<?> system) {
    runtime = DatabaseRuntime.start(DatabaseSettings.fromConfig(system.settings().config().getConfig("switchboard")));
    CoordinatedShutdown.get(system)
        .addTask(
            CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
            "close-database",
            () -> {
              runtime.close();
              return java.util.concurrent.CompletableFuture.completedFuture(Done.getInstance());
            });
  }

  public static NodeDatabase get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  public Database database() {
    return runtime.database();
  }

  private static final class Id extends ExtensionId<NodeDatabase> {
    @Override
    public NodeDatabase createExtension(ActorSystem<?> system) {
      return new NodeDatabase(system);
    }
  }
}
