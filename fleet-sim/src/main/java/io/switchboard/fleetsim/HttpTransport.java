package io.switchboard.fleetsim;

import com.google.protobuf.InvalidProtocolBufferException;
import io.switchboard.opamp.proto.AgentToServer;
import io.switchboard.opamp.proto.ServerErrorResponseType;
import io.switchboard.opamp.proto.ServerToAgent;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.event.Logging;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;
import org.apache.pekko.http.javadsl.settings.ClientConnectionSettings;
import org.apache.pekko.http.javadsl.settings.ConnectionPoolSettings;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.util.ByteString;

/**
 * OpAMP over HTTP polling: each message is one POST answered by one ServerToAgent. Requests go
 * through Pekko HTTP's pooled connections, one pool per source address (a pool is keyed by its
 * settings, which carry the local address), so HTTP agents hold no socket between polls, like real
 * ones.
 */
final class HttpTransport implements Transport {

  private static final ContentType PROTOBUF =
      ContentTypes.create(MediaTypes.applicationBinary("x-protobuf", true));

  /** Longer than any poll the server keeps waiting (its poll-timeout is 5 s). */
  private static final long POLL_TIMEOUT_SECONDS = 30;

  private static final long READ_BODY_TIMEOUT_MILLIS = 10_000;

  private final ActorSystem<?> system;
  private final Http http;
  private final Materializer materializer;
  private final LoggingAdapter log;
  private final Map<InetSocketAddress, ConnectionPoolSettings> pools = new ConcurrentHashMap<>();

  HttpTransport(ActorSystem<?> system) {
    this.system = system;
    this.http = Http.get(system);
    this.materializer = Materializer.matFromSystem(system);
    this.log = Logging.getLogger(system.classicSystem(), HttpTransport.class);
  }

  /** Polling needs no connection up front: the channel is ready at once. */
  @Override
  public Channel open(
      URI target, InetSocketAddress localAddress, long connection, ActorRef<ChannelEvent> events) {
    events.tell(new ChannelEvent.Opened(connection));
    return new HttpChannel(
        target, pools.computeIfAbsent(localAddress, this::pool), connection, events);
  }

  private ConnectionPoolSettings pool(InetSocketAddress localAddress) {
    return ConnectionPoolSettings.create(system.classicSystem())
        .withConnectionSettings(
            ClientConnectionSettings.create(system.classicSystem())
                .withLocalAddress(Optional.of(localAddress)));
  }

  /** A 503's Retry-After in seconds (the date form is not used by OpAMP servers). */
  static Optional<Duration> retryAfterHeader(HttpResponse response) {
    return response
        .getHeader(RetryAfter.class)
        .flatMap(RetryAfter::getDelaySeconds)
        .map(Duration::ofSeconds);
  }

  private final class HttpChannel implements Channel {
    private final URI target;
    private final ConnectionPoolSettings pool;
    private final long connection;
    private final ActorRef<ChannelEvent> events;

    HttpChannel(
        URI target, ConnectionPoolSettings pool, long connection, ActorRef<ChannelEvent> events) {
      this.target = target;
      this.pool = pool;
      this.connection = connection;
      this.events = events;
    }

    @Override
    public void send(AgentToServer message) {
      HttpRequest request =
          HttpRequest.POST(target.toString()).withEntity(PROTOBUF, message.toByteArray());
      http.singleRequest(request, http.defaultClientHttpsContext(), pool, log)
          .thenCompose(
              response ->
                  response
                      .entity()
                      .toStrict(READ_BODY_TIMEOUT_MILLIS, materializer)
                      .thenApply(body -> answer(response, body.getData())))
          .toCompletableFuture()
          .orTimeout(POLL_TIMEOUT_SECONDS, TimeUnit.SECONDS)
          .whenComplete(
              (event, failure) ->
                  events.tell(
                      failure == null
                          ? event
                          : ChannelEvent.Closed.failed(
                              connection,
                              failure instanceof TimeoutException
                                  ? "poll-timeout"
                                  : "poll-failed")));
    }

    /** Nothing to release: the sockets belong to the shared pool. */
    @Override
    public void close() {}

    @Override
    public boolean oneMessageInFlight() {
      return true;
    }

    private ChannelEvent answer(HttpResponse response, ByteString body) {
      int status = response.status().intValue();
      Optional<ServerToAgent> message = parse(body);
      if (status == 200) {
        return message
            .<ChannelEvent>map(m -> new ChannelEvent.Received(connection, m))
            .orElseGet(() -> ChannelEvent.Closed.failed(connection, "malformed-response"));
      }
      if (status == 503) {
        // The body's retry_info is more precise than the header's whole seconds.
        Optional<Duration> retryAfter =
            message
                .filter(
                    m ->
                        m.getErrorResponse().getType()
                            == ServerErrorResponseType.ServerErrorResponseType_Unavailable)
                .filter(m -> m.getErrorResponse().hasRetryInfo())
                .map(
                    m ->
                        Duration.ofNanos(
                            m.getErrorResponse().getRetryInfo().getRetryAfterNanoseconds()))
                .or(() -> retryAfterHeader(response));
        if (retryAfter.isPresent()) {
          return new ChannelEvent.Closed(connection, Optional.empty(), retryAfter);
        }
      }
      return ChannelEvent.Closed.failed(connection, "http-" + status);
    }

    private Optional<ServerToAgent> parse(ByteString body) {
      try {
        return Optional.of(ServerToAgent.parseFrom(body.toArrayUnsafe()));
      } catch (InvalidProtocolBufferException e) {
        return Optional.empty();
      }
    }
  }
}
