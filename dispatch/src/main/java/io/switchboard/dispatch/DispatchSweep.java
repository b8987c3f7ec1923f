package io.switchboard.dispatch;

import com.google.protobuf.InvalidProtocolBufferException;
import io.switchboard.cluster.agent.AgentEntity;
import io.switchboard.cluster.agent.AgentRefs;
import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.persistence.dispatch.DispatchStore;
import io.switchboard.persistence.dispatch.Redelivery;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * Keeps dispatch envelopes moving when nodes fail: expires those past their deadline, and hands
 * open ones back to their agents' entities (an entity that died with its node forgot them; one
 * that still holds them recognises them and does nothing). One sweep at a time, cluster-wide: a
 * cluster singleton (under the singleton lease when one is configured).
 */
public final class DispatchSweep {

  public sealed interface Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  private record Swept(long expired, List<Redelivery> redeliveries) implements Command {}

  private record SweepFailed(Throwable failure) implements Command {}

  private DispatchSweep() {}

  public static ActorRef<Command> init(
      ActorSystem<?> system, DispatchStore store, AgentRefs agents, DispatchSettings settings) {
    return ClusterSingleton.get(system)
        .init(SingletonActor.of(create(store, agents, settings), "dispatch-sweep"));
  }

  public static Behavior<Command> create(DispatchStore store, AgentRefs agents, DispatchSettings settings) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> {
                  timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.sweepInterval());
                  return Behaviors.receive(Command.class)
                      .onMessageEquals(Tick.INSTANCE, () -> sweep(context, store, settings))
                      .onMessage(Swept.class, swept -> handOver(context, agents, swept))
                      .onMessage(
                          SweepFailed.class,
                          failed -> {
                            context.getLog().warn("Dispatch sweep failed, retrying at the next one: {}", failed.failure().toString());
                            return Behaviors.same();
                          })
                      .build();
                }));
  }

  private static Behavior<Command> sweep(ActorContext<Command> context, DispatchStore store, DispatchSettings settings) {
    context.pipeToSelf(
        store
            .expireOverdue(settings.expiryGrace())
            .thenCombine(
                store.takeForRedelivery(settings.redeliverAfter(), settings.redeliveryBatch()), Swept::new),
        (Swept swept, Throwable failure) -> failure == null ? swept : new SweepFailed(failure));
    return Behaviors.same();
  }

  private static Behavior<Command> handOver(ActorContext<Command> context, AgentRefs agents, Swept swept) {
    if (swept.expired() > 0) {
      context.getLog().info("Dispatch sweep: {} envelopes expired", swept.expired());
    }
    if (!swept.redeliveries().isEmpty()) {
      context.getLog().debug("Dispatch sweep: {} envelopes handed back to their agents", swept.redeliveries().size());
    }
    ActorRef<AgentEntity.DispatchOutcome> nobody = context.getSystem().ignoreRef();
    for (Redelivery redelivery : swept.redeliveries()) {
      try {
        ServerToAgent message = ServerToAgent.parseFrom(redelivery.message());
        agents
            .entityFor(redelivery.instanceUid())
            .tell(new AgentEntity.Dispatch(redelivery.id(), message, redelivery.deadline(), nobody));
      } catch (InvalidProtocolBufferException e) {
        context.getLog().error("Dispatch {} holds an unreadable message; left as it is", redelivery.id(), e);
      }
    }
    return Behaviors.same();
  }
}
