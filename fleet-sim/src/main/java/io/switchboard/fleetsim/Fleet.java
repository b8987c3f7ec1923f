package io.switchboard.fleetsim;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The simulator's guardian: spawns the agents spread over targets, source addresses and the
 * ramp-up, stops them all when the run's duration is over (or on request), and completes the
 * summary once every agent has said goodbye. Stopping itself then ends the actor system.
 */
final class Fleet extends AbstractBehavior<Fleet.Command> {

  interface Command {}

  /** End the run now (Ctrl-C, or a test that has seen enough). */
  enum Stop implements Command {
    INSTANCE
  }

  private enum GoodbyesTimedOut implements Command {
    INSTANCE
  }

  /** Longer than an agent's own goodbye timeout, so this only catches agents that hang. */
  private static final Duration GOODBYE_TIMEOUT = Duration.ofSeconds(30);

  static Behavior<Command> create(
      SimulatorSettings settings,
      FleetStats stats,
      AgentObserver observer,
      CompletableFuture<Summary> summary) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> new Fleet(context, timers, settings, stats, observer, summary)));
  }

  private final TimerScheduler<Command> timers;
  private final FleetStats stats;
  private final CompletableFuture<Summary> summary;
  private final List<ActorRef<SimulatedAgent.Command>> agents = new ArrayList<>();
  private int running;
  private boolean stopping;

  private Fleet(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      SimulatorSettings settings,
      FleetStats stats,
      AgentObserver observer,
      CompletableFuture<Summary> summary) {
    super(context);
    this.timers = timers;
    this.stats = stats;
    this.summary = summary;

    Map<Target.Protocol, Transport> transports = new EnumMap<>(Target.Protocol.class);
    transports.put(Target.Protocol.WEBSOCKET, new WebSocketTransport(context.getSystem()));
    transports.put(Target.Protocol.HTTP, new HttpTransport(context.getSystem()));
    Map<Target.Protocol, Reconnects> reconnects = new EnumMap<>(Target.Protocol.class);
    for (Target.Protocol protocol : Target.Protocol.values()) {
      List<URI> sameProtocol =
          settings.targets().stream()
              .filter(target -> target.protocol() == protocol)
              .map(Target::uri)
              .distinct()
              .toList();
      reconnects.put(protocol, new Reconnects(settings.reconnectTo(), sameProtocol));
    }
    List<InetSocketAddress> localAddresses = settings.localAddresses();
    long rampUpNanos = settings.rampUp().toNanos();
    for (int i = 0; i < settings.agents(); i++) {
      Target target = settings.targets().get(i % settings.targets().size());
      SimulatedAgent.Setup setup =
          new SimulatedAgent.Setup(
              i,
              transports.get(target.protocol()),
              target.uri(),
              reconnects.get(target.protocol()),
              localAddresses.get(i % localAddresses.size()),
              Duration.ofNanos(rampUpNanos / settings.agents() * i));
      ActorRef<SimulatedAgent.Command> agent =
          context.spawn(
              SimulatedAgent.create(setup, settings, stats, observer, Backoff.DEFAULT),
              "agent-" + i);
      context.watch(agent);
      agents.add(agent);
    }
    running = agents.size();
    timers.startSingleTimer(Stop.INSTANCE, settings.duration());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessageEquals(Stop.INSTANCE, this::onStop)
        .onMessageEquals(GoodbyesTimedOut.INSTANCE, this::onGoodbyesTimedOut)
        .onSignal(Terminated.class, terminated -> onAgentStopped())
        .build();
  }

  private Behavior<Command> onStop() {
    if (!stopping) {
      stopping = true;
      timers.cancel(Stop.INSTANCE);
      agents.forEach(agent -> agent.tell(SimulatedAgent.Shutdown.INSTANCE));
      timers.startSingleTimer(GoodbyesTimedOut.INSTANCE, GOODBYE_TIMEOUT);
    }
    return this;
  }

  private Behavior<Command> onAgentStopped() {
    running--;
    if (!stopping) {
      // Agents stop only when told to; anything else is a bug worth seeing in the summary.
      stats.error("agent-crashed");
    }
    return running == 0 ? finish() : this;
  }

  private Behavior<Command> onGoodbyesTimedOut() {
    stats.error("agents-not-stopped");
    return finish();
  }

  private Behavior<Command> finish() {
    summary.complete(stats.snapshot());
    return Behaviors.stopped();
  }
}
