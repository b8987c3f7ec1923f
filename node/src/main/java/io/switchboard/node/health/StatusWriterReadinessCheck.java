package io.switchboard.node.health;

import io.switchboard.node.NodeStatusWriter;
import io.switchboard.persistence.status.StatusWriter;
import java.time.Duration;
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
  private final int notReadyAfterFailures;

  public StatusWriterReadinessCheck(ActorSystem system) {
    this.system = Adapter.toTyped(system);
    this.notReadyAfterFailures =
        system.settings().config().getInt("switchboard.status-writer.not-ready-after-failures");
  }

  @Override
  public CompletionStage<Boolean> get() {
    return AskPattern.<StatusWriter.Command, StatusWriter.Backlog>ask(
            NodeStatusWriter.get(system).ref(), StatusWriter.GetBacklog::new, ASK_TIMEOUT, system.scheduler())
        .thenApply(backlog -> backlog.consecutiveFailures() < notReadyAfterFailures);
  }
}
