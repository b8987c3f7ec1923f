package io.switchboard.node.health;

import io.switchboard.persistence.DatabaseExtension;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;

/** Readiness check (Pekko Management): the node is ready only while its database answers. */
public final class DatabaseReadinessCheck implements Supplier<CompletionStage<Boolean>> {

  private final ActorSystem system;

  public DatabaseReadinessCheck(ActorSystem system) {
    this.system = system;
  }

  @Override
  public CompletionStage<Boolean> get() {
    return DatabaseExtension.get(Adapter.toTyped(system)).database().ping();
  }
}
