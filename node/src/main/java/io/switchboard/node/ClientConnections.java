package io.switchboard.node;

import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.ServerBuilder;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Connection;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Binds a route so that one client address holds at most {@code perAddress} connections at once:
 * one slow or hostile client cannot take every connection the server has. A connection past the
 * limit gets one 503 with Retry-After and is closed.
 */
final class ClientConnections {

  private ClientConnections() {}

  static CompletionStage<ServerBinding> bind(
      ActorSystem<?> system, ServerBuilder server, Route route, int perAddress) {
    Materializer materializer = Materializer.matFromSystem(system);
    Flow<HttpRequest, HttpResponse, NotUsed> handler = route.flow(system);
    Flow<HttpRequest, HttpResponse, NotUsed> refusal =
        Flow.of(HttpRequest.class)
            .take(1)
            .map(
                request ->
                    HttpResponse.create()
                        .withStatus(StatusCodes.SERVICE_UNAVAILABLE)
                        .addHeader(RetryAfter.create(1L))
                        .addHeader(Connection.create("close")));
    Map<InetAddress, Integer> open = new ConcurrentHashMap<>();
    return server
        .connectionSource()
        .to(
            Sink.foreach(
                connection -> {
                  InetAddress address = connection.remoteAddress().getAddress();
                  int now = open.merge(address, 1, Integer::sum);
                  Flow<HttpRequest, HttpResponse, NotUsed> chosen =
                      now > perAddress ? refusal : handler;
                  connection.handleWith(
                      chosen.watchTermination(
                          (notUsed, done) -> {
                            done.whenComplete(
                                (finished, failure) ->
                                    open.computeIfPresent(
                                        address, (key, count) -> count > 1 ? count - 1 : null));
                            return notUsed;
                          }),
                      materializer);
                }))
        .run(materializer);
  }
}
