package io.switchboard.node.health;

import io.switchboard.node.NodeStatusWriter;
import io.switchboard.persistence.status.StatusWriter;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * Readiness check (Pekko Management): a node whose status writes keep failing is not ready, even if
 * the database still answers a ping (a full disk, a broken constraint). It keeps every agent's
 * latest state meanwhile; it just should not take more agents.
 */
public final class StatusWriterReadinessCheck implements Supplier<CompletionStage<Boolean>> {

  private static final Duration ASK_TIMEOUT = Duration.ofMillis(500);

  private final org.apache.pekko.actor.typed.ActorSystem<?> system;

  public StatusWriterReadinessCheck(ActorSystem system) {
    this.system = Adapter.toTyped(system);
  }

  @Override
  public CompletionStage<Boolean> get() {
    Optional<NodeStatusWriter.Started> writer = NodeStatusWriter.get(system).started();
    if (writer.isEmpty()) {
      return CompletableFuture.completedFuture(false);
    }
    int notReadyAfter = writer.get().settings().notReadyAfterFailures();
    return AskPattern.<StatusWriter.Command, StatusWriter.Backlog>ask(
            writer.get().ref(), StatusWriter.GetBacklog::new, ASK_TIMEOUT, system.scheduler())
        .thenApply(backlog -> backlog.consecutiveFailures() < notReadyAfter);
  }
}
