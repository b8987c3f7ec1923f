package io.switchboard.gateway.session;

import io.opentelemetry.api.trace.Span;
import io.switchboard.cluster.agent.AgentProtocol;
import io.switchboard.cluster.agent.AgentRefs;
import io.switchboard.cluster.limits.TokenBucket;
import io.switchboard.gateway.auth.AgentCredential;
import io.switchboard.gateway.limits.MessageLimits;
import io.switchboard.gateway.limits.SessionRules;
import io.switchboard.observability.SwitchboardMetrics;
import io.switchboard.observability.SwitchboardMetrics.Transport;
import io.switchboard.observability.tracing.Tracing;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.opamp.proto.AgentToServer;
import io.switchboard.opamp.proto.RetryInfo;
import io.switchboard.opamp.proto.ServerErrorResponse;
import io.switchboard.opamp.proto.ServerErrorResponseType;
import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.opamp.wire.MalformedFrameException;
import io.switchboard.opamp.wire.OpampFrames;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import kamon.metric.Counter;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.util.ByteString;

/**
 * One agent connection on this node. It decodes the agent's frames, forwards each message to the
 * agent's entity (wherever sharding placed it) with its own ref and epoch, and writes what the
 * entity answers back to the socket. Frames that are not OpAMP are answered with a BadRequest error
 * response and counted; the connection carries on, except after an oversized message, which the
 * spec says to close on.
 */
public final class AgentSession extends AbstractBehavior<AgentSession.Command> {

  public sealed interface Command {}

  /**
   * The connection's outbound side is running: what the session sends goes to {@code socket}. It is
   * materialized with the connection, after this session started; until it comes, the session's
   * other messages wait.
   */
  public record SocketReady(ActorRef<Outbound> socket) implements Command {}

  /** The inbound stream is ready; {@code ackTo} wants an {@link Ack} before the first frame. */
  public record StreamStarted(ActorRef<Ack> ackTo) implements Command {}

  /** One frame from the agent; acknowledge it to receive the next. */
  public record FrameReceived(InboundFrame frame, ActorRef<Ack> ackTo) implements Command {}

  /** The agent's side of the socket closed. */
  public enum StreamCompleted implements Command {
    INSTANCE
  }

  /** The agent's side of the socket failed. */
  public record StreamFailed(Throwable cause) implements Command {}

  private record FromEntity(AgentProtocol.SessionDirective directive) implements Command {}

  /** The node is leaving (see {@link LiveSessions#drain}). */
  record Drain(NodeDraining draining) implements Command {}

  /** Acknowledgement that lets the next inbound frame through (backpressure towards the agent). */
  public enum Ack {
    INSTANCE
  }

  /** Messages that can arrive before {@link SocketReady}: the stream's start or end, a drain. */
  private static final int BEFORE_SOCKET_READY = 8;

  /**
   * A connection whose socket never comes (its stream failed to start) leaves no session behind.
   */
  private static final Duration SOCKET_READY_TIMEOUT = Duration.ofSeconds(30);

  private enum SocketNeverReady implements Command {
    INSTANCE
  }

  public static Behavior<Command> create(
      long epoch,
      String nodeName,
      AgentRefs entities,
      LiveSessions liveSessions,
      SessionRules rules,
      AgentCredential credential) {
    // The session's epoch and node go into every log line it writes (JSON logs carry the MDC).
    return Behaviors.withMdc(
        Command.class,
        Map.of("sessionEpoch", Long.toString(epoch), "node", nodeName),
        Behaviors.setup(
            context ->
                Behaviors.withStash(
                    BEFORE_SOCKET_READY,
                    early -> {
                      context.scheduleOnce(
                          SOCKET_READY_TIMEOUT, context.getSelf(), SocketNeverReady.INSTANCE);
                      return Behaviors.receive(Command.class)
                          .onMessageEquals(SocketNeverReady.INSTANCE, Behaviors::stopped)
                          .onMessage(
                              SocketReady.class,
                              ready ->
                                  early.unstashAll(
                                      new AgentSession(
                                          context,
                                          epoch,
                                          nodeName,
                                          entities,
                                          ready.socket(),
                                          liveSessions,
                                          rules,
                                          credential)))
                          .onAnyMessage(
                              message -> {
                                early.stash(message);
                                return Behaviors.same();
                              })
                          .build();
                    })));
  }

  private final long epoch;
  private final AgentRefs entities;
  private final ActorRef<Outbound> socket;
  private final AgentProtocol.Session self;
  private final LiveSessions liveSessions;
  private final SessionRules rules;
  private final AgentCredential credential;
  private final TokenBucket messages;
  private final Counter framesReceived = SwitchboardMetrics.framesReceived(Transport.WEBSOCKET);

  /** Messages refused in a row; too many, and the connection is closed. */
  private int refusedInARow;

  private String instanceUid;
  private com.google.protobuf.ByteString instanceUidBytes;

  /** An id the server gave the agent, which its next messages may carry instead of the old one. */
  private String assignedInstanceUid;

  private EntityRef<AgentProtocol.Command> entity;

  private final Tracing tracing;

  /** How the socket is closed when this session stops. */
  private Outbound.Close closing = Outbound.Close.NORMAL;

  private AgentSession(
      ActorContext<Command> context,
      long epoch,
      String nodeName,
      AgentRefs entities,
      ActorRef<Outbound> socket,
      LiveSessions liveSessions,
      SessionRules rules,
      AgentCredential credential) {
    super(context);
    this.epoch = epoch;
    this.entities = entities;
    this.socket = socket;
    this.self =
        new AgentProtocol.Session(
            context.messageAdapter(AgentProtocol.SessionDirective.class, FromEntity::new),
            epoch,
            nodeName,
            credential.principal());
    this.liveSessions = liveSessions;
    this.rules = rules;
    this.credential = credential;
    this.messages = new TokenBucket(rules.messagesPerSecond(), rules.messageBurst());
    this.tracing = Tracing.get(context.getSystem());
    liveSessions.started(context.getSelf());
    SwitchboardMetrics.activeSessions(Transport.WEBSOCKET).increment();
    SwitchboardMetrics.connects(Transport.WEBSOCKET).increment();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(StreamStarted.class, started -> ack(started.ackTo()))
        .onMessage(FrameReceived.class, this::onFrame)
        .onMessageEquals(SocketNeverReady.INSTANCE, () -> this)
        .onMessage(FromEntity.class, this::onEntityDirective)
        .onMessage(Drain.class, this::onDrain)
        .onMessageEquals(StreamCompleted.INSTANCE, () -> agentGone("socket closed"))
        .onMessage(
            StreamFailed.class,
            failed -> agentGone("socket failed: " + failed.cause().getMessage()))
        .onSignal(PostStop.class, signal -> onStop())
        .build();
  }

  private Behavior<Command> onFrame(FrameReceived received) {
    InboundFrame frame = received.frame();
    if (!messages.tryTake()) {
      refuseForNow();
    } else if (frame instanceof InboundFrame.Binary binary) {
      onBinary(binary.bytes());
    } else if (frame instanceof InboundFrame.Oversized oversized) {
      refuse("oversized", "message exceeds the limit of " + oversized.limit() + " bytes");
      closing = Outbound.Close.messageTooBig(oversized.limit());
      return agentGone("oversized message");
    } else {
      refuse("text-frame", "OpAMP over WebSocket uses binary messages only");
    }
    if (refusedInARow > rules.refusalsBeforeClose()) {
      getContext()
          .getLog()
          .info(
              "Closing session {} of agent {}: {} messages refused in a row",
              epoch,
              instanceUid,
              refusedInARow);
      closing = Outbound.Close.policyViolation("too many messages refused in a row");
      return agentGone("too many messages refused");
    }
    return ack(received.ackTo());
  }

  /**
   * Over the connection's message rate: the message is dropped and the agent told when to go on.
   */
  private void refuseForNow() {
    refusedInARow++;
    SwitchboardMetrics.framesRejected(Transport.WEBSOCKET, "rate-limited").increment();
    send(
        ServerToAgent.newBuilder()
            .setErrorResponse(
                ServerErrorResponse.newBuilder()
                    .setType(ServerErrorResponseType.ServerErrorResponseType_Unavailable)
                    .setErrorMessage(
                        "rate-limited: this connection may send "
                            + rules.messagesPerSecond()
                            + " messages a second (bursts of "
                            + rules.messageBurst()
                            + ")")
                    .setRetryInfo(
                        RetryInfo.newBuilder()
                            .setRetryAfterNanoseconds(messages.untilNext().toNanos())))
            .build());
  }

  private void onBinary(ByteString bytes) {
    AgentToServer message;
    try {
      message = OpampFrames.decodeAgentToServer(bytes.asByteBuffer());
    } catch (MalformedFrameException e) {
      refuse(e.reason().tag(), e.getMessage());
      return;
    }
    framesReceived.increment();
    Optional<MessageLimits.Violation> violation = rules.limits().check(message);
    if (violation.isPresent()) {
      refuse(violation.get().reason(), violation.get().detail());
      return;
    }
    // Every frame of a connection carries the same id: compare bytes, and only turn a new id into
    // text (the entity id) when it changes.
    if (!message.getInstanceUid().equals(instanceUidBytes) && !bind(message.getInstanceUid())) {
      return;
    }
    refusedInARow = 0;
    if (getContext().getLog().isTraceEnabled()) {
      getContext()
          .getLog()
          .trace("Session {} received from agent {}: {}", epoch, instanceUid, message);
    }
    entity.tell(new AgentProtocol.AgentReport(message, self));
  }

  /**
   * Binds the connection to an agent's id (its first, or the one the server assigned); false if
   * refused.
   */
  private boolean bind(com.google.protobuf.ByteString uidBytes) {
    String uid;
    try {
      uid = InstanceUid.toText(uidBytes);
    } catch (IllegalArgumentException e) {
      refuse("invalid-instance-uid", e.getMessage());
      return false;
    }
    if (instanceUid != null && !uid.equals(assignedInstanceUid)) {
      refuse(
          "instance-uid-changed",
          "this connection belongs to agent " + instanceUid + ", not " + uid);
      return false;
    }
    if (rules.certificateNamesAgent() && credential.certified() && !credential.names(uid)) {
      refuse("instance-uid-not-certified", "the client certificate does not name agent " + uid);
      return false;
    }
    if (instanceUid != null) {
      // The agent took the id the server assigned: the old id's session ends here.
      entity.tell(new AgentProtocol.SessionEnded(epoch, "agent took the new instance_uid " + uid));
      assignedInstanceUid = null;
    }
    instanceUid = uid;
    instanceUidBytes = uidBytes;
    entity = entities.entityFor(uid);
    return true;
  }

  private Behavior<Command> onEntityDirective(FromEntity fromEntity) {
    AgentProtocol.SessionDirective directive = fromEntity.directive();
    if (directive instanceof AgentProtocol.Deliver deliver) {
      if (deliver.message().hasAgentIdentification()) {
        assignedInstanceUid =
            InstanceUid.toText(deliver.message().getAgentIdentification().getNewInstanceUid());
      }
      Span span =
          SessionTraces.send(
              tracing, deliver.traceparent(), deliver.message(), instanceUid, null, self.node());
      send(deliver.message());
      span.end();
      return this;
    }
    if (directive instanceof AgentProtocol.DeliverEnvelope command) {
      Span span =
          SessionTraces.send(
              tracing,
              command.traceparent(),
              command.message(),
              instanceUid,
              command.envelope(),
              self.node());
      send(command.message());
      span.end();
      command
          .entity()
          .tell(new AgentProtocol.EnvelopeDelivered(command.envelope(), command.epoch()));
      return this;
    }
    if (directive instanceof AgentProtocol.Refuse refused) {
      getContext()
          .getLog()
          .info(
              "Session {} of agent {} refused: {}",
              epoch,
              instanceUid,
              refused.message().getErrorResponse().getErrorMessage());
      send(refused.message());
      closing =
          refused.policyViolation()
              ? Outbound.Close.policyViolation(
                  refused.message().getErrorResponse().getErrorMessage())
              : Outbound.Close.TRY_AGAIN_LATER;
      // The entity refused this session: it has nothing to be told when it ends.
      entity = null;
      return Behaviors.stopped();
    }
    AgentProtocol.CloseSession close = (AgentProtocol.CloseSession) directive;
    getContext()
        .getLog()
        .info("Closing session {} of agent {}: {}", epoch, instanceUid, close.reason());
    return Behaviors.stopped();
  }

  /** The node is leaving: the agent is told when to come back (to another node), then let go. */
  private Behavior<Command> onDrain(Drain drain) {
    send(
        ServerToAgent.newBuilder()
            .setErrorResponse(
                ServerErrorResponse.newBuilder()
                    .setType(ServerErrorResponseType.ServerErrorResponseType_Unavailable)
                    .setErrorMessage("this node is shutting down; reconnect later")
                    .setRetryInfo(
                        RetryInfo.newBuilder()
                            .setRetryAfterNanoseconds(
                                drain.draining().delayForOneAgent().toNanos())))
            .build());
    return agentGone("node shutting down");
  }

  private Behavior<Command> agentGone(String reason) {
    if (entity != null) {
      entity.tell(new AgentProtocol.SessionEnded(epoch, reason));
    }
    return Behaviors.stopped();
  }

  private Behavior<Command> onStop() {
    liveSessions.ended(getContext().getSelf());
    socket.tell(closing);
    SwitchboardMetrics.activeSessions(Transport.WEBSOCKET).decrement();
    SwitchboardMetrics.disconnects(Transport.WEBSOCKET).increment();
    return this;
  }

  private void refuse(String reason, String detail) {
    refusedInARow++;
    SwitchboardMetrics.framesRejected(Transport.WEBSOCKET, reason).increment();
    getContext().getLog().debug("Refused a frame on session {} ({}): {}", epoch, reason, detail);
    send(
        ServerToAgent.newBuilder()
            .setErrorResponse(
                ServerErrorResponse.newBuilder()
                    .setType(ServerErrorResponseType.ServerErrorResponseType_BadRequest)
                    .setErrorMessage(reason + ": " + detail))
            .build());
  }

  private void send(ServerToAgent message) {
    socket.tell(new Outbound.Frame(ByteString.fromArrayUnsafe(OpampFrames.encode(message))));
  }

  private Behavior<Command> ack(ActorRef<Ack> ackTo) {
    ackTo.tell(Ack.INSTANCE);
    return this;
  }
}
