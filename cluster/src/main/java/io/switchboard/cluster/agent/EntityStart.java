package io.switchboard.cluster.agent;

import io.switchboard.cluster.agent.AgentProtocol.AgentPoll;
import io.switchboard.cluster.agent.AgentProtocol.Command;
import io.switchboard.cluster.agent.AgentProtocol.PollAnswer;
import io.switchboard.observability.SwitchboardMetrics;
import io.switchboard.persistence.agents.AgentStart;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * How an agent's entity starts: it reads what the database holds of the agent ({@link AgentStart}:
 * whether it is known, the credential its identity is bound to, its desired config) before it
 * serves a single message, so that no session is admitted, and no config handed out, before the
 * entity knows whose agent this is. Messages arriving meanwhile wait (a few hundred at most).
 */
final class EntityStart {

  /** Messages kept while the start read is under way; past this, polls are asked to come back. */
  private static final int WAITING = 256;

  /** What the entity starts from: the stored state, and the identity read from it. */
  record Started(AgentStart start, AgentIdentity identity) {}

  private record Read(AgentStart start, Throwable failure) implements Command {}

  private EntityStart() {}

  static Behavior<Command> create(
      String instanceUid,
      ActorRef<ClusterSharding.ShardCommand> shard,
      AgentDependencies dependencies,
      AgentEntitySettings settings,
      Clock clock) {
    // The agent's id goes into every log line the entity writes (JSON logs carry the MDC).
    return Behaviors.withMdc(
        Command.class,
        Map.of("agent", instanceUid),
        Behaviors.setup(
            context ->
                Behaviors.withTimers(
                    timers ->
                        Behaviors.withStash(
                            WAITING,
                            waiting -> {
                              context.pipeToSelf(
                                  dependencies.starts().read(instanceUid), Read::new);
                              return Behaviors.receive(Command.class)
                                  .onMessage(
                                      Read.class,
                                      read ->
                                          waiting.unstashAll(
                                              new AgentEntity(
                                                  context,
                                                  timers,
                                                  instanceUid,
                                                  shard,
                                                  dependencies,
                                                  settings,
                                                  clock,
                                                  started(context, instanceUid, read))))
                                  .onAnyMessage(message -> wait(waiting, message))
                                  .build();
                            }))));
  }

  /**
   * What the entity starts from: the database's answer, or, when it could not be read, nothing
   * confirmed.
   */
  private static Started started(ActorContext<Command> context, String instanceUid, Read read) {
    if (read.failure() == null) {
      return new Started(read.start(), AgentIdentity.stored(read.start().principal()));
    }
    context
        .getLog()
        .warn(
            "Could not read agent {}'s stored state; serving it unconfirmed and reading again: {}",
            instanceUid,
            read.failure().toString());
    // Known, so that a database outage does not count reconnecting agents as new ones.
    return new Started(new AgentStart(true, null, Map.of()), AgentIdentity.unconfirmed());
  }

  private static Behavior<Command> wait(StashBuffer<Command> waiting, Command message) {
    if (!waiting.isFull()) {
      waiting.stash(message);
    } else if (message instanceof AgentPoll poll) {
      poll.replyTo().tell(comeBackLater(Duration.ofSeconds(1)));
    } else {
      SwitchboardMetrics.entityMessagesDropped().increment();
    }
    return Behaviors.same();
  }

  /** A 429 for a poll the entity cannot take now, with when to come back. */
  static PollAnswer comeBackLater(Duration retryAfter) {
    return new PollAnswer(
        429,
        AgentReplies.unavailable("too many messages for this agent; poll again later", retryAfter));
  }
}
