package io.switchboard.gateway.websocket;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.extractWebSocketUpgrade;

import io.switchboard.cluster.agent.AgentRefs;
import io.switchboard.gateway.admission.AdmissionControl;
import io.switchboard.gateway.auth.AgentCredential;
import io.switchboard.gateway.limits.SessionRules;
import io.switchboard.gateway.session.AgentSession;
import io.switchboard.gateway.session.InboundFrame;
import io.switchboard.gateway.session.LiveSessions;
import io.switchboard.gateway.session.Outbound;
import io.switchboard.gateway.session.SessionEpochs;
import io.switchboard.observability.SwitchboardMetrics;
import io.switchboard.observability.SwitchboardMetrics.Transport;
import io.switchboard.opamp.proto.RetryInfo;
import io.switchboard.opamp.proto.ServerErrorResponse;
import io.switchboard.opamp.proto.ServerErrorResponseType;
import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.opamp.wire.OpampFrames;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.http.impl.engine.ws.FrameEvent;
import org.apache.pekko.http.javadsl.model.ws.BinaryMessage;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.typed.javadsl.ActorSink;
import org.apache.pekko.stream.typed.javadsl.ActorSource;
import org.apache.pekko.util.ByteString;

/**
 * OpAMP over WebSocket: each upgraded connection gets its own {@link AgentSession}. This class only
 * adapts the socket to the session: it bounds and collects streamed messages, and turns the
 * session's outbound frames back into WebSocket messages.
 */
public final class OpampWebSocketRoute {

  private final ActorSystem<?> system;
  private final long maxMessageBytes;
  private final int outboundBuffer;
  private final SessionRules rules;
  private final String nodeName;
  private final AgentRefs entities;
  private final AdmissionControl admission;
  private final LiveSessions liveSessions;
  private final SessionEpochs epochs = new SessionEpochs();
  private final Flow<FrameEvent, FrameEvent, Object> sessionFrames;

  public OpampWebSocketRoute(
      ActorSystem<?> system,
      long maxMessageBytes,
      int outboundBuffer,
      SessionRules rules,
      String nodeName,
      AgentRefs entities,
      AdmissionControl admission,
      LiveSessions liveSessions) {
    this.system = system;
    this.admission = admission;
    this.liveSessions = liveSessions;
    this.maxMessageBytes = maxMessageBytes;
    this.outboundBuffer = outboundBuffer;
    this.rules = rules;
    this.nodeName = nodeName;
    this.entities = entities;
    this.sessionFrames = new FrameLevelUpgrade(system).handler(this::connection);
  }

  /**
   * The WebSocket upgrade for the OpAMP path (the caller matches the path and proves the
   * credential). Other requests are rejected before anything is created for them.
   */
  public Route route(AgentCredential credential) {
    return extractWebSocketUpgrade(
        upgrade -> {
          Optional<AdmissionControl.Refusal> refusal = admission.admitSession();
          if (refusal.isPresent()) {
            SwitchboardMetrics.connectionsShed(Transport.WEBSOCKET, refusal.get().tag())
                .increment();
            return complete(upgrade.handleMessagesWith(turnAway(refusal.get())));
          }
          // One small wrapper per connection carries its credential into the shared handler.
          return complete(
              FrameLevelUpgrade.handle(
                  upgrade,
                  sessionFrames.addAttributes(Attributes.apply(new Credential(credential)))));
        });
  }

  /** The credential of one connection, as a stream attribute of its handler. */
  private record Credential(AgentCredential value) implements Attributes.Attribute {}

  /** Tells the agent the node cannot take it now and when to come back, then closes. */
  private Flow<Message, Message, NotUsed> turnAway(AdmissionControl.Refusal refusal) {
    ServerToAgent unavailable =
        ServerToAgent.newBuilder()
            .setErrorResponse(
                ServerErrorResponse.newBuilder()
                    .setType(ServerErrorResponseType.ServerErrorResponseType_Unavailable)
                    .setErrorMessage(
                        "this node is at its limit (" + refusal.tag() + "); reconnect later")
                    .setRetryInfo(
                        RetryInfo.newBuilder()
                            .setRetryAfterNanoseconds(admission.retryAfter().toNanos())))
            .build();
    return Flow.fromSinkAndSource(
        Sink.ignore(),
        Source.single(
            BinaryMessage.create(ByteString.fromArrayUnsafe(OpampFrames.encode(unavailable)))));
  }

  /**
   * One connection's messages, from the moment it is materialized until the session lets it go; it
   * holds a session slot that long.
   */
  private Flow<Message, Message, NotUsed> connection(
      FrameLevelUpgrade.SessionClose closing, Attributes attributes) {
    AgentCredential credential =
        attributes
            .getAttribute(Credential.class)
            .map(Credential::value)
            .orElse(AgentCredential.NONE);
    long epoch = epochs.next();
    admission.sessionStarted();
    ActorRef<AgentSession.Command> session =
        system.systemActorOf(
            AgentSession.create(epoch, nodeName, entities, liveSessions, rules, credential),
            "opamp-session-" + epoch,
            Props.empty());

    Sink<Message, NotUsed> toSession =
        Flow.<Message>create()
            .mapAsync(1, this::collect)
            .to(
                ActorSink
                    .<InboundFrame, AgentSession.Command, AgentSession.Ack>actorRefWithBackpressure(
                        session,
                        (ackTo, frame) -> new AgentSession.FrameReceived(frame, ackTo),
                        AgentSession.StreamStarted::new,
                        AgentSession.Ack.INSTANCE,
                        AgentSession.StreamCompleted.INSTANCE,
                        AgentSession.StreamFailed::new));
    // Materialized with the connection, in its stream actor: pre-materialized on its own, the
    // outbound side was one more actor per connection and one more hop per frame.
    Source<Message, NotUsed> fromSession =
        ActorSource.<Outbound>actorRef(
                closing::isEnd,
                message -> Optional.empty(),
                outboundBuffer,
                OverflowStrategy.fail())
            .mapMaterializedValue(
                socket -> {
                  session.tell(new AgentSession.SocketReady(socket));
                  return NotUsed.getInstance();
                })
            .map(frame -> (Message) BinaryMessage.create(((Outbound.Frame) frame).bytes()));
    // Not coupled: the session ends the connection by completing its outbound source, which then
    // still sends what it has queued (a last error response) before the close frame.
    return Flow.fromSinkAndSource(toSession, fromSession)
        .watchTermination(
            (notUsed, terminated) -> {
              terminated.whenComplete((done, failure) -> admission.releaseSession());
              return notUsed;
            });
  }

  /** Collects one message into memory, never more than the limit; text is drained and refused. */
  private CompletionStage<InboundFrame> collect(Message message) {
    long limit = maxMessageBytes;
    if (message.isText()) {
      return message
          .asTextMessage()
          .getStreamedText()
          .runWith(Sink.ignore(), system)
          .thenApply(done -> new InboundFrame.Text());
    }
    BinaryMessage binary = message.asBinaryMessage();
    if (binary.isStrict()) {
      ByteString bytes = binary.getStrictData();
      return CompletableFuture.completedFuture(
          bytes.size() > limit
              ? new InboundFrame.Oversized(limit)
              : new InboundFrame.Binary(bytes));
    }
    // An oversized message is still read to its end, but no longer kept: cancelling the message's
    // stream half-way would fail the whole connection before the agent is told why.
    return binary
        .getStreamedData()
        .runFold(
            (InboundFrame) new InboundFrame.Binary(ByteString.emptyByteString()),
            (collected, chunk) ->
                collected instanceof InboundFrame.Binary binarySoFar
                        && binarySoFar.bytes().size() + chunk.size() <= limit
                    ? new InboundFrame.Binary(binarySoFar.bytes().concat(chunk))
                    : new InboundFrame.Oversized(limit),
            system);
  }
}
