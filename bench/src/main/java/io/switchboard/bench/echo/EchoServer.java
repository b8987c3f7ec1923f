package io.switchboard.bench.echo;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.WebSocket;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;

/**
 * The floor a node's WebSocket sessions are measured against: a bare Pekko HTTP server that sends
 * every binary message back, with the node's server limits and keep-alive pings and nothing else.
 * {@code EchoServer <port>}; runs until killed.
 */
public final class EchoServer {

  /** How long a message streamed in several frames may take to arrive in full. */
  private static final long COLLECT_TIMEOUT_MILLIS = 10_000;

  private EchoServer() {}

  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "echo", config());
    Materializer materializer = Materializer.matFromSystem(system);
    Flow<Message, Message, ?> echo =
        Flow.<Message>create()
            .mapAsync(
                1,
                message ->
                    message.isText()
                        ? message
                            .asTextMessage()
                            .toStrict(COLLECT_TIMEOUT_MILLIS, materializer)
                            .thenApply(text -> (Message) text)
                        : message
                            .asBinaryMessage()
                            .toStrict(COLLECT_TIMEOUT_MILLIS, materializer)
                            .thenApply(binary -> (Message) binary));
    Http.get(system)
        .newServerAt("127.0.0.1", port)
        .bindSync(
            request ->
                request.getUri().path().equals("/v1/opamp")
                    ? WebSocket.handleWebSocketRequestWith(request, echo)
                    : HttpResponse.create().withStatus(StatusCodes.NOT_FOUND))
        .thenAccept(
            binding -> System.out.println("echo server listening on " + binding.localAddress()));
    system.getWhenTerminated().toCompletableFuture().join();
  }

  /**
   * The node's server settings that bear on what a connection costs (see the node's opamp.conf).
   */
  private static Config config() {
    return ConfigFactory.parseString(
            """
            pekko.http.server {
              max-connections = 25000
              backlog = 4096
              websocket.periodic-keep-alive-mode = ping
              websocket.periodic-keep-alive-max-idle = 45s
              idle-timeout = 120s
            }
            pekko.io.tcp.register-timeout = 60s
            """)
        .withFallback(ConfigFactory.defaultReference())
        .resolve();
  }
}
