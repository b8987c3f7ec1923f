package io.switchboard.cluster.agent;

import com.google.protobuf.InvalidProtocolBufferException;
import io.switchboard.cluster.agent.AgentProtocol.Command;
import io.switchboard.cluster.agent.AgentProtocol.TakeEnvelope;
import io.switchboard.observability.SwitchboardMetrics;
import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.persistence.assignments.AppliedEnvelope;
import io.switchboard.persistence.envelopes.EnvelopeState;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.slf4j.Logger;

/**
 * Decides an agent's standing assignment when it describes itself (its first message to a new
 * entity, and whenever its description changes): one statement that writes the winning assignment's
 * envelopes (its config; its package set, to an agent that accepts packages) when the agent lacks
 * them ({@code io.switchboard.persistence.assignments.AssignmentResolution#resolve}). The envelope
 * then comes to the entity as any operator's command does.
 */
@FunctionalInterface
public interface AssignedConfigs {

  /** No assignments. */
  AssignedConfigs NONE =
      (instanceUid, description, capabilities) -> CompletableFuture.completedFuture(List.of());

  /** The envelopes written for the agent (its config, its packages), those it needed. */
  CompletionStage<List<AppliedEnvelope>> resolve(
      String instanceUid, String descriptionJson, long capabilities);

  /** When the message changed the description: resolves, and hands what was written over. */
  static void follow(
      AssignedConfigs configs,
      String instanceUid,
      AgentState.Merged merged,
      ActorContext<Command> context) {
    if (merged.newDescription() != null) {
      follow(
          configs,
          instanceUid,
          merged.newDescription(),
          merged.capabilities(),
          context.getSelf(),
          context.getSystem().ignoreRef(),
          context.getLog());
    }
  }

  /** Resolves, and hands what was written to {@code entity}. */
  private static void follow(
      AssignedConfigs configs,
      String instanceUid,
      String descriptionJson,
      long capabilities,
      ActorRef<Command> entity,
      ActorRef<AgentProtocol.EnvelopeReceipt> nobody,
      Logger log) {
    configs
        .resolve(instanceUid, descriptionJson, capabilities)
        .whenComplete(
            (written, failure) -> {
              if (failure != null) {
                log.warn(
                    "Could not decide agent {}'s assignment; it is decided again at its next"
                        + " description or relabel: {}",
                    instanceUid,
                    failure.toString());
                return;
              }
              written.forEach(
                  envelope -> {
                    SwitchboardMetrics.dispatchEnvelopes(EnvelopeState.PENDING.name()).increment();
                    entity.tell(
                        new TakeEnvelope(
                            envelope.id(), message(envelope), envelope.deadline(), nobody));
                  });
            });
  }

  private static ServerToAgent message(AppliedEnvelope envelope) {
    try {
      return ServerToAgent.parseFrom(envelope.message());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("an assignment's message is a ServerToAgent", e);
    }
  }
}
