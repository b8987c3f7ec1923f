package io.switchboard.dispatch;

import com.google.protobuf.InvalidProtocolBufferException;
import io.switchboard.cluster.agent.AgentProtocol;
import io.switchboard.cluster.agent.AgentRefs;
import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.persistence.envelopes.EnvelopeStore;
import io.switchboard.persistence.envelopes.Redelivery;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * Keeps envelopes moving when nodes fail: expires those past their deadline, and hands open ones
 * back to their agents' entities (an entity that died with its node forgot them; one that still
 * holds them recognises them and does nothing). One sweep at a time, cluster-wide: a cluster
 * singleton (under the singleton lease when one is configured).
 */
public final class EnvelopeSweep {

  public sealed interface Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  private record Swept(long expired, List<Redelivery> redeliveries) implements Command {}

  private record SweepFailed(Throwable failure) implements Command {}

  private EnvelopeSweep() {}

  public static ActorRef<Command> init(
      ActorSystem<?> system, EnvelopeStore store, AgentRefs agents, DispatchSettings settings) {
    return ClusterSingleton.get(system)
        .init(SingletonActor.of(create(store, agents, settings), "envelope-sweep"));
  }

  public static Behavior<Command> create(
      EnvelopeStore store, AgentRefs agents, DispatchSettings settings) {
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
                            context
                                .getLog()
                                .warn(
                                    "Envelope sweep failed, retrying at the next one: {}",
                                    failed.failure().toString());
                            return Behaviors.same();
                          })
                      .build();
                }));
  }

  private static Behavior<Command> sweep(
      ActorContext<Command> context, EnvelopeStore store, DispatchSettings settings) {
    context.pipeToSelf(
        store
            .expireOverdue(settings.expiryGrace())
            .thenCombine(
                store.takeForRedelivery(settings.redeliverAfter(), settings.redeliveryBatch()),
                Swept::new),
        (Swept swept, Throwable failure) -> failure == null ? swept : new SweepFailed(failure));
    return Behaviors.same();
  }

  private static Behavior<Command> handOver(
      ActorContext<Command> context, AgentRefs agents, Swept swept) {
    if (swept.expired() > 0) {
      context.getLog().info("Envelope sweep: {} envelopes expired", swept.expired());
    }
    if (!swept.redeliveries().isEmpty()) {
      context
          .getLog()
          .debug(
              "Envelope sweep: {} envelopes handed back to their agents",
              swept.redeliveries().size());
    }
    ActorRef<AgentProtocol.EnvelopeReceipt> nobody = context.getSystem().ignoreRef();
    for (Redelivery redelivery : swept.redeliveries()) {
      try {
        ServerToAgent message = ServerToAgent.parseFrom(redelivery.message());
        agents
            .entityFor(redelivery.instanceUid())
            .tell(
                new AgentProtocol.TakeEnvelope(
                    redelivery.id(), message, redelivery.deadline(), nobody));
      } catch (InvalidProtocolBufferException e) {
        context
            .getLog()
            .error("Envelope {} holds an unreadable message; left as it is", redelivery.id(), e);
      }
    }
    return Behaviors.same();
  }
}
