package io.switchboard.cluster.agent;

import io.switchboard.cluster.CborSerializable;
import io.switchboard.opamp.proto.AgentToServer;
import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.persistence.envelopes.EnvelopeState;
import java.time.Instant;
import java.util.UUID;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What an agent's entity ({@link AgentEntity}) is told, by sessions, pollers and the dispatcher,
 * and what it tells sessions in turn. Every message may cross nodes. Those that carry an operator's
 * command also carry its trace as a W3C {@code traceparent} string (null when untraced), which the
 * Jackson CBOR serializer takes across like any other field.
 */
public final class AgentProtocol {

  private AgentProtocol() {}

  /** Every message an agent entity takes. */
  public interface Command extends CborSerializable {}

  /** An agent's message over WebSocket, with the session that carried it. */
  public record AgentReport(AgentToServer message, Session session) implements Command {}

  /**
   * An agent's message over plain HTTP: the answer goes back as the poll's response. Polls may land
   * on any node; {@code node} is the one that took this one. {@code principal} is what the poll's
   * credential proves (null when it carried none), as in {@link Session}.
   */
  public record AgentPoll(
      AgentToServer message, String node, String principal, ActorRef<PollAnswer> replyTo)
      implements Command {}

  /**
   * The answer to a poll: the message for the agent, and the HTTP status it goes with (200; 403
   * when the agent's identity belongs to another credential; 429 when it polls too often or too
   * many new agents arrive at once, the message then says when to come back).
   */
  public record PollAnswer(int httpStatus, ServerToAgent message) implements CborSerializable {}

  /** The session with this epoch ended: its socket closed, or the agent said goodbye. */
  public record SessionEnded(long epoch, String reason) implements Command {}

  /**
   * An operator's command in its envelope (already stored): {@code message} carries a remote config
   * (which becomes the agent's desired config), a command, a custom message or connection settings.
   * The same envelope handed over again (by the envelope sweep) is recognised and left alone.
   * {@code traceparent}: the W3C trace context of the operator's request, null when it is not
   * traced.
   */
  public record TakeEnvelope(
      UUID envelope,
      ServerToAgent message,
      Instant deadline,
      ActorRef<EnvelopeReceipt> replyTo,
      String traceparent)
      implements Command {

    /** An envelope handed over outside any trace (the redelivery sweep). */
    public TakeEnvelope(
        UUID envelope, ServerToAgent message, Instant deadline, ActorRef<EnvelopeReceipt> replyTo) {
      this(envelope, message, deadline, replyTo, null);
    }
  }

  /** The session of {@code epoch} put the envelope's message on its socket. */
  public record EnvelopeDelivered(UUID envelope, long epoch) implements Command {}

  /** Where the envelope stands after the entity took it, and why. */
  public record EnvelopeReceipt(EnvelopeState state, String detail) implements CborSerializable {}

  /**
   * The agent's connection: where replies go, its epoch (a newer epoch wins), the node holding the
   * socket, and the principal: what the connection's credential proves ({@code token:<fleet>} for a
   * fleet's bearer token, {@code cert:<subject>} for a client certificate), null when it carried
   * none. An agent's identity is bound to the principal it was first seen with.
   */
  public record Session(ActorRef<SessionDirective> ref, long epoch, String node, String principal)
      implements CborSerializable {}

  /** An operator reset the agent's credential binding: its next session binds it again. */
  public record CredentialReset() implements Command {}

  /** An operator revoked one of the agent's certificates: offers stop carrying it. */
  public record CertificateRevoked() implements Command {}

  /** An operator removes the agent: its session is closed and the entity stops, keeping nothing. */
  public record Remove(ActorRef<org.apache.pekko.Done> replyTo) implements Command {}

  /** What the entity tells a session. */
  public sealed interface SessionDirective extends CborSerializable {}

  /**
   * Send this message to the agent; {@code traceparent} is the trace of the operator's command it
   * carries, null for anything else.
   */
  public record Deliver(ServerToAgent message, String traceparent) implements SessionDirective {

    /** A message outside any trace (an answer to the agent's own message). */
    public Deliver(ServerToAgent message) {
      this(message, null);
    }
  }

  /**
   * Send this operator command to the agent, then tell {@code entity} it went out: until then the
   * entity keeps it, and gives it to the agent's next session if this one dies first.
   */
  public record DeliverEnvelope(
      ServerToAgent message,
      UUID envelope,
      long epoch,
      ActorRef<Command> entity,
      String traceparent)
      implements SessionDirective {

    /** A command outside any trace. */
    public DeliverEnvelope(
        ServerToAgent message, UUID envelope, long epoch, ActorRef<Command> entity) {
      this(message, envelope, epoch, entity, null);
    }
  }

  /**
   * Close this session: a newer one took over, or the agent went silent past its heartbeat window.
   */
  public record CloseSession(String reason) implements SessionDirective {}

  /**
   * This session may not serve the agent: tell the agent {@code message} (an error response) and
   * close the connection. {@code policyViolation}: the agent did something it must not (another
   * credential's identity), closed with 1008; otherwise it is asked to come back later.
   */
  public record Refuse(ServerToAgent message, boolean policyViolation)
      implements SessionDirective {}
}
