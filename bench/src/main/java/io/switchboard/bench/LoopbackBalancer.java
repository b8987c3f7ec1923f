package io.switchboard.bench;

import com.typesafe.config.ConfigFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.io.Inet;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Tcp;

/**
 * What stands in front of a cluster in production, reduced to a TCP load balancer on loopback:
 * each new connection goes to the next backend not marked down, round-robin. Agents of a killed
 * node reconnect through it and land on a survivor, as behind a real load balancer whose health
 * checks took the node out.
 */
final class LoopbackBalancer implements AutoCloseable {

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

  private final ActorSystem<Void> system;
  private final List<InetSocketAddress> backends;
  private final Set<InetSocketAddress> down = ConcurrentHashMap.newKeySet();
  private final AtomicInteger next = new AtomicInteger();
  private final int port;

  LoopbackBalancer(List<InetSocketAddress> backends) throws Exception {
    this.backends = List.copyOf(backends);
    this.system =
        ActorSystem.create(
            Behaviors.empty(),
            "balancer",
            ConfigFactory.parseString("pekko.io.tcp.max-channels = 25000").withFallback(ConfigFactory.defaultReference()).resolve());
    this.port = Ports.free();
    Tcp tcp = Tcp.get(system);
    // No idle timeout of its own: the node's pings and the agents' heartbeats keep connections busy.
    tcp.bind("127.0.0.1", port, 4096, List.<Inet.SocketOption>of(), true, Optional.empty())
        .to(
            Sink.foreach(
                connection ->
                    connection.handleWith(
                        tcp.outgoingConnection(
                            pick(), Optional.empty(), List.of(), true, Optional.of(CONNECT_TIMEOUT), Optional.empty()),
                        system)))
        .run(system)
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }

  /** The balancer's health check: no new connection goes to {@code backend} until it is back. */
  void markDown(InetSocketAddress backend) {
    down.add(backend);
  }

  String url(String path) {
    return "ws://127.0.0.1:" + port + path;
  }

  private InetSocketAddress pick() {
    for (int tried = 0; tried < backends.size(); tried++) {
      InetSocketAddress backend = backends.get(Math.floorMod(next.getAndIncrement(), backends.size()));
      if (!down.contains(backend)) {
        return backend;
      }
    }
    return backends.get(0);
  }

  @Override
  public void close() {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println("balancer did not stop within 30 s: " + e);
    }
  }
}
