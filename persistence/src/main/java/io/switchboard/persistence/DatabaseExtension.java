package io.switchboard.persistence;

import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * The node's database as an actor-system extension, so that everything holding the system (the
 * readiness check and the PostgreSQL lease among them) reaches the same one. Opened on first use;
 * closed, after everything else, when the system shuts down.
 */
public final class DatabaseExtension implements Extension {

  private static final Id ID = new Id();

  private final DatabaseRuntime runtime;

  private DatabaseExtension(ActorSystem<?> system) {
    runtime =
        DatabaseRuntime.start(
            DatabaseSettings.fromConfig(system.settings().config().getConfig("switchboard")));
    CoordinatedShutdown.get(system)
        .addTask(
            CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
            "close-database",
            () -> {
              runtime.close();
              return CompletableFuture.completedFuture(Done.getInstance());
            });
  }

  public static DatabaseExtension get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  public Database database() {
    return runtime.database();
  }

  private static final class Id extends ExtensionId<DatabaseExtension> {
    @Override
    public DatabaseExtension createExtension(ActorSystem<?> system) {
      return new DatabaseExtension(system);
    }
  }
}
