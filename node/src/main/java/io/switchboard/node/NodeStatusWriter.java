package io.switchboard.node;

import io.switchboard.persistence.DatabaseExtension;
import io.switchboard.persistence.status.AgentStatusStore;
import io.switchboard.persistence.status.StatusWriter;
import io.switchboard.persistence.status.StatusWriterSettings;
import java.time.Duration;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * The node's status writer as an actor-system extension, so that the agent entities and the
 * readiness check reach the same one. Sessions close and shards hand off before the cluster
 * shutdown phase, so the writer flushes their last statuses then, before the database closes.
 */
public final class NodeStatusWriter implements Extension {

  private static final Id ID = new Id();
  private static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(10);

  private final ActorRef<StatusWriter.Command> writer;

  private NodeStatusWriter(ActorSystem<?> system) {
    writer =
        system.systemActorOf(
            StatusWriter.create(
                new AgentStatusStore(DatabaseExtension.get(system).database().pool()),
                StatusWriterSettings.fromConfig(system.settings().config().getConfig("switchboard"))),
            "status-writer",
            Props.empty());
    CoordinatedShutdown.get(system)
        .addTask(
            CoordinatedShutdown.PhaseClusterShutdown(),
            "flush-agent-status",
            () -> AskPattern.ask(writer, StatusWriter.Flush::new, FLUSH_TIMEOUT, system.scheduler()));
  }

  public static NodeStatusWriter get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  public ActorRef<StatusWriter.Command> ref() {
    return writer;
  }

  private static final class Id extends ExtensionId<NodeStatusWriter> {
    @Override
    public NodeStatusWriter createExtension(ActorSystem<?> system) {
      return new NodeStatusWriter(system);
    }
  }
}
