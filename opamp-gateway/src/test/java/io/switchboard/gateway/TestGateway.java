package io.switchboard.gateway;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.switchboard.cluster.agent.AgentEntity;
import io.switchboard.cluster.agent.AgentProtocol;
import io.switchboard.cluster.agent.AgentRefs;
import io.switchboard.gateway.session.LiveSessions;
import io.switchboard.gateway.tls.OpampTls;
import io.switchboard.observability.Telemetry;
import io.switchboard.opamp.proto.AgentToServer;
import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.testkit.Scrape;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.testkit.javadsl.TestEntityRef;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.ServerBuilder;

/**
 * The OpAMP endpoint on its own, bound to a free port the way a node binds it ({@link
 * OpampEndpoint#route}, TLS when configured), in an actor test kit. The agents' entities live in
 * another module: {@link #entities()}, a probe, stands in for every one of them and sees every
 * message the gateway sends them. By default each message is also answered as an entity would at
 * the least (a report with a {@code Deliver}, a poll with a reply), both carrying the agent's
 * instance_uid, so that agents are served; a {@link #silent} gateway's entities never answer.
 */
final class TestGateway implements AutoCloseable {

  /** The node name sessions and polls carry. */
  static final String NODE = "pekko://gateway-test@127.0.0.1:7355";

  /**
   * What a node's configuration (node's opamp.conf) sets for Pekko HTTP on the gateway's behalf: a
   * gzipped poll is bounded after decompression by the OpAMP message limit.
   */
  private static final String AS_IN_A_NODE =
      "pekko.http.routing.decode-max-size = ${switchboard.opamp.max-message-size}";

  private final ActorTestKit testKit;
  private final TestProbe<AgentProtocol.Command> entities;
  private final LiveSessions liveSessions = new LiveSessions();
  private final OpampGatewaySettings settings;
  private final ServerBinding binding;

  private TestGateway(Map<String, Object> overrides, boolean answering) {
    Map<String, Object> settings = new HashMap<>();
    // Kamon's counters are read from its scrape text, refreshed at each tick.
    settings.put("switchboard.metrics.instrumentation", false);
    settings.put("switchboard.metrics.tick-interval", "100ms");
    // On a busy 2-core machine a message may take longer than the default 3 s.
    settings.put("pekko.actor.testkit.typed.single-expect-default", "10s");
    settings.putAll(overrides);
    Config config =
        ConfigFactory.load(
            ConfigFactory.parseMap(settings).withFallback(ConfigFactory.parseString(AS_IN_A_NODE)));
    Telemetry.start(config);
    this.testKit = ActorTestKit.create("gateway", config);
    this.settings = OpampGatewaySettings.fromConfig(config.getConfig("switchboard"));
    this.entities = testKit.createTestProbe(AgentProtocol.Command.class);
    ActorRef<AgentProtocol.Command> entity =
        answering
            ? testKit.spawn(
                Behaviors.monitor(AgentProtocol.Command.class, entities.getRef(), answering()))
            : entities.getRef();
    AgentRefs agents = uid -> TestEntityRef.of(AgentEntity.TYPE_KEY, uid, entity);
    ServerBuilder server = Http.get(testKit.system()).newServerAt("127.0.0.1", 0);
    try {
      this.binding =
          this.settings
              .tls()
              .map(OpampTls::context)
              .map(server::enableHttps)
              .orElse(server)
              .bind(
                  OpampEndpoint.route(testKit.system(), this.settings, NODE, agents, liveSessions))
              .toCompletableFuture()
              .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      testKit.shutdownTestKit();
      throw new IllegalStateException("the OpAMP endpoint did not bind", e);
    }
  }

  /**
   * A gateway with {@code switchboard.*} (and Pekko) settings over the defaults; its entities
   * answer.
   */
  static TestGateway start(Map<String, Object> settings) {
    return new TestGateway(settings, true);
  }

  static TestGateway start() {
    return start(Map.of());
  }

  /** A gateway whose entities never answer (the probe still sees what they are sent). */
  static TestGateway silent(Map<String, Object> settings) {
    return new TestGateway(settings, false);
  }

  int port() {
    return binding.localAddress().getPort();
  }

  /** Every message sent to any agent's entity. */
  TestProbe<AgentProtocol.Command> entities() {
    return entities;
  }

  LiveSessions liveSessions() {
    return liveSessions;
  }

  OpampGatewaySettings settings() {
    return settings;
  }

  /**
   * The sum of a metric's samples that carry these labels, from Kamon's latest tick (0 when there
   * is none). Kamon's registry is the JVM's: compare with a value read before.
   */
  static double metric(String name, Map<String, String> labels) {
    return Scrape.parse(Telemetry.scrape()).sum(name, labels).orElse(0);
  }

  /** Frames refused on a transport for a reason, as counted so far. */
  static double rejected(String transport, String reason) {
    return metric(
        "switchboard_frames_rejected_total", Map.of("transport", transport, "reason", reason));
  }

  /** What the stand-in entity answers: an empty message for the agent (its instance_uid only). */
  static ServerToAgent answerTo(AgentToServer message) {
    return ServerToAgent.newBuilder().setInstanceUid(message.getInstanceUid()).build();
  }

  private static Behavior<AgentProtocol.Command> answering() {
    return Behaviors.receiveMessage(
        command -> {
          if (command instanceof AgentProtocol.AgentReport report) {
            report.session().ref().tell(new AgentProtocol.Deliver(answerTo(report.message())));
          } else if (command instanceof AgentProtocol.AgentPoll poll) {
            poll.replyTo().tell(new AgentProtocol.PollAnswer(200, answerTo(poll.message())));
          }
          return Behaviors.same();
        });
  }

  @Override
  public void close() {
    try {
      binding.terminate(Duration.ofSeconds(5)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      // shutting the system down closes what is left
    } finally {
      testKit.shutdownTestKit();
    }
  }
}
