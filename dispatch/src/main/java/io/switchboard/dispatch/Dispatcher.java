package io.switchboard.dispatch;

import io.switchboard.cluster.agent.AgentProtocol;
import io.switchboard.cluster.agent.AgentRefs;
import io.switchboard.observability.SwitchboardMetrics;
import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.persistence.BatchedCalls;
import io.switchboard.persistence.envelopes.Envelope;
import io.switchboard.persistence.envelopes.EnvelopeState;
import io.switchboard.persistence.envelopes.EnvelopeStore;
import io.switchboard.persistence.envelopes.NewEnvelope;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Takes operators' commands, one agent each: writes each durably as a dispatch envelope (with its
 * audit event) before anything else, then hands it to the agent's entity, wherever sharding keeps
 * it. If the entity does not answer in time the envelope is still safe: the sweep hands it over
 * again. Commands that arrive together are written together ({@link BatchedCalls}), the check that
 * their agents are known in the same statement: at hundreds of commands a second, statements of
 * their own waited in the pool past its timeout.
 */
public final class Dispatcher {

  /** The outcome of {@link #submit}. */
  public sealed interface Submitted {}

  /** Written (or found, for a retry with the same idempotency key) and handed to the entity. */
  public record Accepted(Envelope envelope, boolean replayed) implements Submitted {}

  /** The idempotency key was used before for another request; nothing was written. */
  public record KeyReused(Envelope existing) implements Submitted {}

  /** No agent of that id ever reported to Switchboard; nothing was written. */
  public record UnknownAgent(String instanceUid) implements Submitted {}

  /** Write statements under way at once. */
  private static final int STATEMENTS_AT_ONCE = 2;

  /** Commands per statement. */
  private static final int MAX_BATCH = 200;

  private final EnvelopeStore store;
  private final AgentRefs agents;
  private final Duration askTimeout;
  private final ActorRef<AgentProtocol.EnvelopeReceipt> nobody;
  private final Clock clock;
  private final BatchedCalls<NewEnvelope, EnvelopeStore.Submission> writes;

  /** {@code nobody} takes the entities' answers to {@link #send} (the system's ignoreRef). */
  public Dispatcher(
      EnvelopeStore store,
      AgentRefs agents,
      Duration askTimeout,
      ActorRef<AgentProtocol.EnvelopeReceipt> nobody,
      Clock clock) {
    this.store = store;
    this.agents = agents;
    this.askTimeout = askTimeout;
    this.nobody = nobody;
    this.clock = clock;
    this.writes = new BatchedCalls<>(this::writeTogether, null, STATEMENTS_AT_ONCE, MAX_BATCH);
  }

  /**
   * Writes the command's envelope, hands it to its entity and answers with what the entity made of
   * it; only agents Switchboard has seen can be addressed.
   */
  public CompletionStage<Submitted> submit(OperatorCommand command) {
    return write(envelopeFor(command))
        .thenCompose(submission -> handOverIfNew(submission, command.message()));
  }

  /**
   * A statement fails as a whole: if the batch's failed, the envelope is written again on its own,
   * so that one command the database refuses fails only itself.
   */
  private CompletionStage<EnvelopeStore.Submission> write(NewEnvelope envelope) {
    return writes
        .call(envelope)
        .exceptionallyCompose(
            batchFailed ->
                store.create(List.of(envelope)).thenApply(submissions -> submissions.get(0)));
  }

  private CompletionStage<Map<NewEnvelope, EnvelopeStore.Submission>> writeTogether(
      Set<NewEnvelope> envelopes) {
    List<NewEnvelope> batch = List.copyOf(envelopes);
    return store
        .create(batch)
        .thenApply(
            submissions -> {
              Map<NewEnvelope, EnvelopeStore.Submission> byEnvelope = new HashMap<>();
              for (int i = 0; i < batch.size(); i++) {
                byEnvelope.put(batch.get(i), submissions.get(i));
              }
              return byEnvelope;
            });
  }

  /**
   * Writes all the commands' envelopes in one statement and tells each new one to its entity,
   * asking no answer: for a rollout, whose progress is its envelopes' states, a batch must not wait
   * on the slowest of hundreds of entities, nor keep an ask (a temporary actor and a timeout) open
   * for each. Completes once written, with each command's envelope in the order given (for a reused
   * idempotency key, the envelope it holds); fails if a command is for an agent that never
   * reported, as a rollout chooses its targets among those that did.
   */
  public CompletionStage<List<Envelope>> send(List<OperatorCommand> commands) {
    return store
        .create(commands.stream().map(this::envelopeFor).toList())
        .thenApply(
            submissions -> {
              for (int i = 0; i < commands.size(); i++) {
                if (submissions.get(i) instanceof EnvelopeStore.Created created) {
                  SwitchboardMetrics.dispatchEnvelopes(EnvelopeState.PENDING.name()).increment();
                  agents
                      .entityFor(created.envelope().instanceUid())
                      .tell(dispatchOf(created.envelope(), commands.get(i).message(), nobody));
                }
              }
              return submissions.stream().map(Dispatcher::envelopeOf).toList();
            });
  }

  /**
   * Hands envelopes already written (by an assignment, in SQL) to their agents' entities, asking no
   * answer, as {@link #send} does. {@code message} is what they all carry.
   */
  public void handOver(List<StoredEnvelope> envelopes, ServerToAgent message) {
    for (StoredEnvelope envelope : envelopes) {
      SwitchboardMetrics.dispatchEnvelopes(EnvelopeState.PENDING.name()).increment();
      agents
          .entityFor(envelope.instanceUid())
          .tell(
              new AgentProtocol.TakeEnvelope(envelope.id(), message, envelope.deadline(), nobody));
    }
  }

  /** An envelope written elsewhere, to hand over. */
  public record StoredEnvelope(UUID id, String instanceUid, java.time.Instant deadline) {}

  private static Envelope envelopeOf(EnvelopeStore.Submission submission) {
    if (submission instanceof EnvelopeStore.WithEnvelope stored) {
      return stored.envelope();
    }
    throw new IllegalStateException(
        "no agent " + ((EnvelopeStore.UnknownAgent) submission).instanceUid() + " to send to");
  }

  private NewEnvelope envelopeFor(OperatorCommand command) {
    return new NewEnvelope(
        UUID.randomUUID(),
        command.instanceUid(),
        command.kind(),
        command.payloadJson(),
        command.message().toByteArray(),
        command.message().hasRemoteConfig()
            ? command.message().getRemoteConfig().getConfigHash().toByteArray()
            : null,
        command.idempotencyKey(),
        clock.instant().plus(command.deadlineIn()),
        command.actor());
  }

  private CompletionStage<Submitted> handOverIfNew(
      EnvelopeStore.Submission submission, ServerToAgent message) {
    if (submission instanceof EnvelopeStore.Created created) {
      Envelope envelope = created.envelope();
      return handOver(envelope, message)
          .handle(
              (outcome, failure) ->
                  failure == null
                      ? new Accepted(
                          withOutcome(envelope, outcome.state(), outcome.detail()), false)
                      : new Accepted(
                          withOutcome(
                              envelope,
                              EnvelopeState.PENDING,
                              "the agent's entity did not answer in time; the sweep hands it over again"),
                          false));
    }
    Submitted answer;
    if (submission instanceof EnvelopeStore.UnknownAgent unknown) {
      answer = new UnknownAgent(unknown.instanceUid());
    } else if (submission instanceof EnvelopeStore.Replayed replayed) {
      answer = new Accepted(replayed.envelope(), true);
    } else {
      answer = new KeyReused(((EnvelopeStore.KeyReused) submission).envelope());
    }
    return CompletableFuture.completedFuture(answer);
  }

  private CompletionStage<AgentProtocol.EnvelopeReceipt> handOver(
      Envelope envelope, ServerToAgent message) {
    SwitchboardMetrics.dispatchEnvelopes(EnvelopeState.PENDING.name()).increment();
    return agents
        .entityFor(envelope.instanceUid())
        .ask(replyTo -> dispatchOf(envelope, message, replyTo), askTimeout);
  }

  private static AgentProtocol.TakeEnvelope dispatchOf(
      Envelope envelope, ServerToAgent message, ActorRef<AgentProtocol.EnvelopeReceipt> replyTo) {
    return new AgentProtocol.TakeEnvelope(envelope.id(), message, envelope.deadline(), replyTo);
  }

  /** The envelope as the entity left it (the entity records the same change in the database). */
  private static Envelope withOutcome(Envelope envelope, EnvelopeState state, String detail) {
    return new Envelope(
        envelope.id(),
        envelope.instanceUid(),
        envelope.kind(),
        envelope.payloadJson(),
        state,
        detail,
        envelope.deadline(),
        envelope.createdAt(),
        envelope.createdBy(),
        envelope.sentAt(),
        envelope.sentByNode(),
        envelope.closedAt());
  }
}
