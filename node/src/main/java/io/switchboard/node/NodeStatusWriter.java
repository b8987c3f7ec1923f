package io.switchboard.node;

import io.switchboard.persistence.status.AgentStatusStore;
import io.switchboard.persistence.status.StatusWriter;
import io.switchboard.persistence.status.StatusWriterSettings;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * The node's status writer as an actor-system extension, so that the readiness check finds the one
 * the node started. Sessions close and shards hand off before the cluster shutdown phase, so the
 * writer flushes their last statuses then, before the database closes.
 */
public final class NodeStatusWriter implements Extension {

  private static final Id ID = new Id();
  private static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(10);

  private final ActorSystem<?> system;
  private volatile ActorRef<StatusWriter.Command> writer;
  private volatile StatusWriterSettings settings;

  private NodeStatusWriter(ActorSystem<?> system) {
    this.system = system;
  }

  public static NodeStatusWriter get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /** Starts the node's writer; once per node. */
  synchronized ActorRef<StatusWriter.Command> start(
      AgentStatusStore store,
      StatusWriterSettings settings,
      java.util.function.Consumer<java.util.List<String>> described) {
    if (writer != null) {
      throw new IllegalStateException("the status writer of this node runs already");
    }
    this.settings = settings;
    writer =
        system.systemActorOf(
            StatusWriter.create(store, settings, described), "status-writer", Props.empty());
    ActorRef<StatusWriter.Command> started = writer;
    CoordinatedShutdown.get(system)
        .addTask(
            CoordinatedShutdown.PhaseClusterShutdown(),
            "flush-agent-status",
            () ->
                AskPattern.ask(
                    started, StatusWriter.Flush::new, FLUSH_TIMEOUT, system.scheduler()));
    return started;
  }

  /**
   * The database did not take the last statuses in time (it is away): the node goes on shutting
   * down, and says how many agents' latest statuses it could not write.
   */
  private CompletionStage<Done> sayWhatIsLost(ActorRef<StatusWriter.Command> writer) {
    return AskPattern.<StatusWriter.Command, StatusWriter.Backlog>ask(
            writer, StatusWriter.GetBacklog::new, Duration.ofSeconds(1), system.scheduler())
        .handle(
            (backlog, failure) -> {
              system
                  .log()
                  .warn(
                      "Shutting down with {} agents' latest statuses not written: the database did not take them within {}",
                      backlog == null ? "some" : Integer.toString(backlog.pendingAgents()),
                      FLUSH_TIMEOUT);
              return Done.getInstance();
            });
  }

  /** The writer and its settings, once the node started it. */
  public Optional<Started> started() {
    ActorRef<StatusWriter.Command> ref = writer;
    return ref == null ? Optional.empty() : Optional.of(new Started(ref, settings));
  }

  public record Started(ActorRef<StatusWriter.Command> ref, StatusWriterSettings settings) {}

  private static final class Id extends ExtensionId<NodeStatusWriter> {
    @Override
    public NodeStatusWriter createExtension(ActorSystem<?> system) {
      return new NodeStatusWriter(system);
    }
  }
}
