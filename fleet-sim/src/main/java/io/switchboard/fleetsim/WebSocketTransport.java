package io.switchboard.fleetsim;

import io.switchboard.opamp.proto.AgentToServer;
import io.switchboard.opamp.wire.MalformedFrameException;
import io.switchboard.opamp.wire.OpampFrames;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.event.Logging;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.ws.BinaryMessage;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.WebSocketRequest;
import org.apache.pekko.http.javadsl.model.ws.WebSocketUpgradeResponse;
import org.apache.pekko.http.javadsl.settings.ClientConnectionSettings;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * OpAMP over WebSocket with Pekko HTTP's client: non-blocking, so one JVM holds thousands of agents
 * on a few threads. Each connection binds to its agent's loopback source address.
 */
final class WebSocketTransport implements Transport {

  /** Frames waiting to go out on one socket; an agent sends a few at a time at most. */
  private static final int OUTBOUND_BUFFER = 64;

  /** How long a server message streamed in several frames may take to arrive in full. */
  private static final long COLLECT_TIMEOUT_MILLIS = 10_000;

  private final Http http;
  private final Materializer materializer;
  private final ClientConnectionSettings settings;
  private final LoggingAdapter log;

  WebSocketTransport(ActorSystem<?> system) {
    this.http = Http.get(system);
    this.materializer = Materializer.matFromSystem(system);
    this.settings = ClientConnectionSettings.create(system.classicSystem());
    this.log = Logging.getLogger(system.classicSystem(), WebSocketTransport.class);
  }

  @Override
  public Channel open(
      URI target, InetSocketAddress localAddress, long connection, ActorRef<ChannelEvent> events) {
    Flow<Message, Message, Pair<CompletionStage<Done>, BoundedSourceQueue<Message>>> flow =
        Flow.fromSinkAndSourceCoupledMat(
            Flow.<Message>create()
                .mapAsync(1, message -> decode(message, connection))
                .toMat(Sink.foreach(events::tell), Keep.right()),
            Source.<Message>queue(OUTBOUND_BUFFER),
            Keep.both());
    Pair<
            CompletionStage<WebSocketUpgradeResponse>,
            Pair<CompletionStage<Done>, BoundedSourceQueue<Message>>>
        started =
            http.singleWebSocketRequest(
                WebSocketRequest.create(target.toString()),
                flow,
                http.defaultClientHttpsContext(),
                Optional.of(localAddress),
                settings.withLocalAddress(Optional.of(localAddress)),
                log,
                materializer);
    CompletionStage<Done> ended = started.second().first();
    started
        .first()
        .whenComplete(
            (upgrade, failure) -> {
              if (failure != null) {
                events.tell(ChannelEvent.Closed.failed(connection, "connect-failed"));
              } else if (!upgrade.isValid()) {
                events.tell(refused(upgrade.response(), connection));
              } else {
                events.tell(new ChannelEvent.Opened(connection));
                // Reported only after Opened, so that an agent sees its connection's events in
                // order.
                ended.whenComplete(
                    (done, streamFailure) ->
                        events.tell(
                            streamFailure == null
                                ? new ChannelEvent.Closed(
                                    connection, Optional.empty(), Optional.empty())
                                : ChannelEvent.Closed.failed(connection, "connection-lost")));
              }
            });
    return new WebSocketChannel(started.second().second(), connection, events);
  }

  /**
   * The server answered the upgrade with a plain HTTP response (503 from an overloaded proxy, 401,
   * ...).
   */
  private ChannelEvent.Closed refused(HttpResponse response, long connection) {
    response.discardEntityBytes(materializer);
    int status = response.status().intValue();
    Optional<Duration> retryAfter = HttpTransport.retryAfterHeader(response);
    return status == 503 && retryAfter.isPresent()
        ? new ChannelEvent.Closed(connection, Optional.empty(), retryAfter)
        : ChannelEvent.Closed.failed(connection, "upgrade-refused-" + status);
  }

  /**
   * Reads one message to its end (it may be streamed) and decodes it; text is drained and refused.
   */
  private CompletionStage<ChannelEvent> decode(Message message, long connection) {
    if (message.isText()) {
      return message
          .asTextMessage()
          .getStreamedText()
          .runWith(Sink.ignore(), materializer)
          .thenApply(done -> new ChannelEvent.Unreadable(connection, "text-frame"));
    }
    BinaryMessage binary = message.asBinaryMessage();
    CompletionStage<ByteString> bytes =
        binary.isStrict()
            ? CompletableFuture.completedFuture(binary.getStrictData())
            : binary
                .toStrict(COLLECT_TIMEOUT_MILLIS, materializer)
                .thenApply(BinaryMessage::getStrictData);
    return bytes.thenApply(
        data -> {
          try {
            return new ChannelEvent.Received(
                connection, OpampFrames.decodeServerToAgent(data.asByteBuffer()));
          } catch (MalformedFrameException e) {
            return new ChannelEvent.Unreadable(connection, "malformed-frame");
          }
        });
  }

  private record WebSocketChannel(
      BoundedSourceQueue<Message> outbound, long connection, ActorRef<ChannelEvent> events)
      implements Channel {

    @Override
    public void send(AgentToServer message) {
      QueueOfferResult result =
          outbound.offer(
              BinaryMessage.create(ByteString.fromArrayUnsafe(OpampFrames.encode(message))));
      // A closed queue means the connection already ended, and its Closed event is on its way.
      if (result == QueueOfferResult.dropped()) {
        close();
        events.tell(ChannelEvent.Closed.failed(connection, "send-buffer-full"));
      }
    }

    @Override
    public void close() {
      try {
        outbound.complete();
      } catch (IllegalStateException alreadyEnded) {
        // The connection ended first (the server closed it); nothing is left to close.
      }
    }

    @Override
    public boolean oneMessageInFlight() {
      return false;
    }
  }
}
