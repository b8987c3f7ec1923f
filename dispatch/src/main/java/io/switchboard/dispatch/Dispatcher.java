package io.switchboard.dispatch;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.switchboard.cluster.agent.AgentProtocol;
import io.switchboard.cluster.agent.AgentRefs;
import io.switchboard.observability.SwitchboardMetrics;
import io.switchboard.observability.tracing.TraceAttributes;
import io.switchboard.observability.tracing.Tracing;
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
  private final Tracing tracing;

  /** {@code nobody} takes the entities' answers to {@link #send} (the system's ignoreRef). */
  public Dispatcher(
      EnvelopeStore store,
      AgentRefs agents,
      Duration askTimeout,
      ActorRef<AgentProtocol.EnvelopeReceipt> nobody,
      Clock clock) {
    this(store, agents, askTimeout, nobody, clock, Tracing.OFF);
  }

  /**
   * As above, with the node's tracer: a traced command's envelope write and hand-over are spans of
   * its trace, and the trace goes along to the agent's entity.
   */
  public Dispatcher(
      EnvelopeStore store,
      AgentRefs agents,
      Duration askTimeout,
      ActorRef<AgentProtocol.EnvelopeReceipt> nobody,
      Clock clock,
      Tracing tracing) {
    this.tracing = tracing;
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
    return submit(command, Context.current());
  }

  /** As {@link #submit(OperatorCommand)}, within the trace of {@code parent} (the REST call). */
  public CompletionStage<Submitted> submit(OperatorCommand command, Context parent) {
    NewEnvelope envelope = envelopeFor(command);
    if (!tracing.enabled()) {
      return write(envelope)
          .thenCompose(submission -> handOverIfNew(submission, command.message(), parent));
    }
    Span span = tracing.start("envelope.write", SpanKind.INTERNAL, parent);
    span.setAttribute(TraceAttributes.AGENT, command.instanceUid());
    span.setAttribute(TraceAttributes.KIND, command.kind().name());
    return write(envelope)
        .whenComplete((submission, failure) -> endWrite(span, submission, failure))
        .thenCompose(submission -> handOverIfNew(submission, command.message(), parent));
  }

  /** Tracing's accessor for the routes that start a command's trace. */
  public Tracing tracing() {
    return tracing;
  }

  private static void endWrite(Span span, EnvelopeStore.Submission submission, Throwable failure) {
    if (failure != null) {
      span.recordException(failure);
      span.setStatus(StatusCode.ERROR, "the envelope could not be written");
    } else if (submission instanceof EnvelopeStore.Created created) {
      span.setAttribute(TraceAttributes.ENVELOPE, created.envelope().id().toString());
      span.setAttribute(TraceAttributes.WRITE, "created");
    } else if (submission instanceof EnvelopeStore.Replayed replayed) {
      span.setAttribute(TraceAttributes.ENVELOPE, replayed.envelope().id().toString());
      span.setAttribute(TraceAttributes.WRITE, "replayed");
    } else if (submission instanceof EnvelopeStore.KeyReused) {
      span.setAttribute(TraceAttributes.WRITE, "key-reused");
    } else {
      span.setAttribute(TraceAttributes.WRITE, "unknown-agent");
    }
    span.end();
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
    return send(commands, Context.current());
  }

  /**
   * As {@link #send(List)}, within the trace of {@code parent} (a rollout batch): the write is a
   * span of it, and each agent's entity takes its envelope in it.
   */
  public CompletionStage<List<Envelope>> send(List<OperatorCommand> commands, Context parent) {
    Span span =
        tracing.enabled()
            ? tracing.start("envelope.write", SpanKind.INTERNAL, parent)
            : Span.getInvalid();
    span.setAttribute(TraceAttributes.BATCH_AGENTS, (long) commands.size());
    String traceparent = Tracing.traceparent(parent);
    return store
        .create(commands.stream().map(this::envelopeFor).toList())
        .whenComplete((submissions, failure) -> span.end())
        .thenApply(
            submissions -> {
              for (int i = 0; i < commands.size(); i++) {
                if (submissions.get(i) instanceof EnvelopeStore.Created created) {
                  SwitchboardMetrics.dispatchEnvelopes(EnvelopeState.PENDING.name()).increment();
                  agents
                      .entityFor(created.envelope().instanceUid())
                      .tell(
                          dispatchOf(
                              created.envelope(), commands.get(i).message(), nobody, traceparent));
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
      EnvelopeStore.Submission submission, ServerToAgent message, Context parent) {
    if (submission instanceof EnvelopeStore.Created created) {
      Envelope envelope = created.envelope();
      return handOver(envelope, message, parent)
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

  /**
   * Traced, the hand-over is a span until the entity answers, and its trace goes along in the
   * message: the entity's own spans, on whichever node, are its children.
   */
  private CompletionStage<AgentProtocol.EnvelopeReceipt> handOver(
      Envelope envelope, ServerToAgent message, Context parent) {
    SwitchboardMetrics.dispatchEnvelopes(EnvelopeState.PENDING.name()).increment();
    if (!tracing.enabled()) {
      return agents
          .entityFor(envelope.instanceUid())
          .ask(replyTo -> dispatchOf(envelope, message, replyTo, null), askTimeout);
    }
    Span span = tracing.start("envelope.hand-over", SpanKind.PRODUCER, parent);
    span.setAttribute(TraceAttributes.AGENT, envelope.instanceUid());
    span.setAttribute(TraceAttributes.ENVELOPE, envelope.id().toString());
    String traceparent = Tracing.traceparent(span);
    return agents
        .entityFor(envelope.instanceUid())
        .<AgentProtocol.EnvelopeReceipt>ask(
            replyTo -> dispatchOf(envelope, message, replyTo, traceparent), askTimeout)
        .whenComplete(
            (receipt, failure) -> {
              if (failure != null) {
                span.setStatus(StatusCode.ERROR, "the agent's entity did not answer in time");
              } else {
                span.setAttribute(TraceAttributes.STATE, receipt.state().name());
              }
              span.end();
            });
  }

  private static AgentProtocol.TakeEnvelope dispatchOf(
      Envelope envelope,
      ServerToAgent message,
      ActorRef<AgentProtocol.EnvelopeReceipt> replyTo,
      String traceparent) {
    return new AgentProtocol.TakeEnvelope(
        envelope.id(), message, envelope.deadline(), replyTo, traceparent);
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
