package io.switchboard.bench.echo;

import io.switchboard.fleetsim.FleetSimulator;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.ws.BinaryMessage;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.WebSocketRequest;
import org.apache.pekko.http.javadsl.settings.ClientConnectionSettings;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * The clients of the echo floor: {@code connections} WebSockets that each send a message the size
 * of an agent's full state on connect and a small one at the heartbeat interval, as the simulated
 * agents do, spread over the same source addresses. A connection counts once its first echo is
 * back; one that fails is tried again a second or two later.
 */
final class EchoFleet implements AutoCloseable {

  /** About what a simulated agent's first message (its full state) weighs. */
  private static final int FIRST_MESSAGE_BYTES = 400;

  /** A heartbeat: instance_uid, sequence number, capabilities. */
  private static final int HEARTBEAT_BYTES = 30;

  private final ActorSystem<Void> system;
  private final Http http;
  private final Materializer materializer;
  private final SharedKillSwitch stop = KillSwitches.shared("echo-fleet");
  private final ClientConnectionSettings settings;
  private final String url;
  private final Duration heartbeat;
  private final AtomicInteger connectedNow = new AtomicInteger();
  private final LongAdder retries = new LongAdder();
  private volatile boolean stopping;

  EchoFleet(String url, int connections, Duration rampUp, Duration heartbeat, int sourceAddresses) {
    this.system =
        ActorSystem.create(
            Behaviors.empty(),
            "echo-fleet",
            // The simulator's client settings, so that both fleets connect alike.
            FleetSimulator.config());
    this.http = Http.get(system);
    this.materializer = Materializer.matFromSystem(system);
    this.settings = ClientConnectionSettings.create(system.classicSystem());
    this.url = url;
    this.heartbeat = heartbeat;
    long rampNanos = rampUp.toNanos();
    for (int i = 0; i < connections; i++) {
      InetSocketAddress local = sourceAddress(1 + i % sourceAddresses);
      long delay = rampNanos / connections * i;
      system
          .scheduler()
          .scheduleOnce(Duration.ofNanos(delay), () -> connect(local), system.executionContext());
    }
  }

  int connectedNow() {
    return connectedNow.get();
  }

  long retries() {
    return retries.sum();
  }

  private void connect(InetSocketAddress local) {
    if (stopping) {
      return;
    }
    AtomicBoolean counted = new AtomicBoolean();
    Source<Message, ?> outbound =
        Source.<Message>single(BinaryMessage.create(payload(FIRST_MESSAGE_BYTES)))
            .concat(
                Source.tick(
                    heartbeat, heartbeat, (Message) BinaryMessage.create(payload(HEARTBEAT_BYTES))))
            .via(stop.flow());
    Sink<Message, CompletionStage<Done>> inbound =
        Flow.<Message>create()
            .mapAsync(1, message -> message.asBinaryMessage().toStrict(10_000, materializer))
            .toMat(
                Sink.foreach(
                    echoed -> {
                      if (counted.compareAndSet(false, true)) {
                        connectedNow.incrementAndGet();
                      }
                    }),
                Keep.right());
    var started =
        http.singleWebSocketRequest(
            WebSocketRequest.create(url),
            Flow.fromSinkAndSourceCoupledMat(inbound, outbound, Keep.left()),
            http.defaultClientHttpsContext(),
            Optional.of(local),
            settings.withLocalAddress(Optional.of(local)),
            system.classicSystem().log(),
            materializer);
    started
        .first()
        .whenComplete(
            (upgrade, failure) -> {
              if (failure != null || !upgrade.isValid()) {
                retryLater(local);
              }
            });
    started
        .second()
        .whenComplete(
            (done, failure) -> {
              if (counted.get()) {
                connectedNow.decrementAndGet();
              }
            });
  }

  private void retryLater(InetSocketAddress local) {
    if (stopping) {
      return;
    }
    retries.increment();
    long delayMillis = ThreadLocalRandom.current().nextLong(1_000, 2_000);
    system
        .scheduler()
        .scheduleOnce(
            Duration.ofMillis(delayMillis), () -> connect(local), system.executionContext());
  }

  private static ByteString payload(int bytes) {
    byte[] data = new byte[bytes];
    ThreadLocalRandom.current().nextBytes(data);
    return ByteString.fromArrayUnsafe(data);
  }

  private static InetSocketAddress sourceAddress(int lastOctet) {
    try {
      return new InetSocketAddress(
          InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) lastOctet}), 0);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("a 4-byte address is always valid", e);
    }
  }

  /** Closes every connection and ends the client's actor system. */
  @Override
  public void close() {
    stopping = true;
    stop.shutdown();
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println("echo fleet did not stop within 30 s: " + e);
    }
  }
}
