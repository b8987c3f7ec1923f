package io.switchboard.fleetsim;

import com.google.protobuf.ByteString;
import io.switchboard.opamp.proto.RemoteConfigStatuses;
import io.switchboard.opamp.proto.ServerErrorResponse;
import io.switchboard.opamp.proto.ServerErrorResponseType;
import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.opamp.proto.ServerToAgentFlags;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * One simulated agent: connects (after its ramp-up delay), reports its full state, heartbeats at
 * the interval the server offers, changes health now and then, applies remote configs, reconnects
 * with backoff when its connection ends, and says goodbye (agent_disconnect) when the run stops.
 */
final class SimulatedAgent extends AbstractBehavior<SimulatedAgent.Command> {

  interface Command {}

  /** The run is over: disconnect politely, then stop. */
  enum Shutdown implements Command {
    INSTANCE
  }

  private enum Connect implements Command {
    INSTANCE
  }

  private enum Heartbeat implements Command {
    INSTANCE
  }

  private enum Churn implements Command {
    INSTANCE
  }

  private enum ShutdownTimedOut implements Command {
    INSTANCE
  }

  private record ApplyDone(ByteString configHash) implements Command {}

  /** Where and when this agent connects: {@code target} first, then as {@code reconnects} says. */
  record Setup(
      int index,
      Transport transport,
      URI target,
      Reconnects reconnects,
      InetSocketAddress localAddress,
      Duration startDelay) {}

  /**
   * How long a goodbye may take before the agent just goes. Generous: at the end of a run the whole
   * fleet says goodbye at once, and the server closes every socket in that storm.
   */
  private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(15);

  /** Applying a config takes the agent a moment (say, restarting its pipeline). */
  private static final long MIN_APPLY_MILLIS = 50;

  private static final long MAX_APPLY_MILLIS = 250;

  static Behavior<Command> create(
      Setup setup,
      SimulatorSettings settings,
      FleetStats stats,
      AgentObserver observer,
      Backoff backoff) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers ->
                    new SimulatedAgent(
                        context, timers, setup, settings, stats, observer, backoff)));
  }

  private final TimerScheduler<Command> timers;
  private final Setup setup;
  private final SimulatorSettings settings;
  private final FleetStats stats;
  private final AgentObserver observer;
  private final Backoff backoff;
  private final ActorRef<ChannelEvent> events;
  private final AgentStatus status;
  private Duration heartbeatInterval;
  private URI target;

  /** The current connection; null while waiting to (re)connect. */
  private Transport.Channel channel;

  /**
   * Numbers this agent's connections, so that events of an earlier one are recognised and ignored.
   */
  private long connection;

  /** The server answered on the current connection: the agent counts as connected. */
  private boolean answered;

  private boolean everConnected;
  private boolean sentOnChannel;

  /** HTTP: a poll is waiting for its answer ... */
  private boolean awaitingAnswer;

  /** ... and another message should go out once it is answered. */
  private boolean sendWanted;

  /** Connection attempts failed (or connections lost) since the last good one. */
  private int failures;

  private boolean stopping;
  private boolean disconnectSent;

  private SimulatedAgent(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      Setup setup,
      SimulatorSettings settings,
      FleetStats stats,
      AgentObserver observer,
      Backoff backoff) {
    super(context);
    this.timers = timers;
    this.setup = setup;
    this.settings = settings;
    this.stats = stats;
    this.observer = observer;
    this.backoff = backoff;
    this.events = context.getSelf().narrow();
    this.status = new AgentStatus(setup.index(), Instant.now());
    this.heartbeatInterval = settings.heartbeat();
    this.target = setup.target();
    timers.startSingleTimer(Connect.INSTANCE, setup.startDelay());
    scheduleChurn();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessageEquals(Connect.INSTANCE, this::onConnect)
        .onMessage(ChannelEvent.Opened.class, this::onOpened)
        .onMessage(ChannelEvent.Received.class, this::onReceived)
        .onMessage(ChannelEvent.Unreadable.class, this::onUnreadable)
        .onMessage(ChannelEvent.Closed.class, this::onClosed)
        .onMessageEquals(Heartbeat.INSTANCE, this::onHeartbeat)
        .onMessageEquals(Churn.INSTANCE, this::onChurn)
        .onMessage(ApplyDone.class, this::onApplyDone)
        .onMessageEquals(Shutdown.INSTANCE, this::onShutdown)
        .onMessageEquals(ShutdownTimedOut.INSTANCE, this::onShutdownTimedOut)
        .build();
  }

  private Behavior<Command> onConnect() {
    if (connection > 0) {
      stats.reconnect();
      target = setup.reconnects().after(target, ThreadLocalRandom.current());
    }
    connection++;
    answered = false;
    sentOnChannel = false;
    awaitingAnswer = false;
    sendWanted = false;
    channel = setup.transport().open(target, setup.localAddress(), connection, events);
    return this;
  }

  /** Every connection starts with the full state, as real agents do. */
  private Behavior<Command> onOpened(ChannelEvent.Opened opened) {
    if (isStale(opened)) {
      return this;
    }
    status.reportFullStateNext();
    send();
    return this;
  }

  private Behavior<Command> onReceived(ChannelEvent.Received received) {
    if (isStale(received)) {
      return this;
    }
    long receivedNanos = System.nanoTime();
    stats.messageReceived();
    awaitingAnswer = false;
    ServerToAgent message = received.message();
    ServerErrorResponse error = message.getErrorResponse();
    boolean unavailable =
        message.hasErrorResponse()
            && error.getType() == ServerErrorResponseType.ServerErrorResponseType_Unavailable;
    if (!unavailable && !answered) {
      answered = true;
      failures = 0;
      stats.connected(!everConnected);
      everConnected = true;
      observer.sessionStarted(status.instanceUidText());
    }
    if (stopping) {
      return continueStopping();
    }
    if (unavailable) {
      return error.hasRetryInfo()
          ? reconnectLater(
              Optional.empty(),
              Optional.of(Duration.ofNanos(error.getRetryInfo().getRetryAfterNanoseconds())))
          : reconnectLater(Optional.of("server-unavailable"), Optional.empty());
    }
    if (message.hasErrorResponse()) {
      stats.error(
          error.getType() == ServerErrorResponseType.ServerErrorResponseType_BadRequest
              ? "server-bad-request"
              : "server-error");
    }
    long offeredHeartbeat =
        message.getConnectionSettings().getOpamp().getHeartbeatIntervalSeconds();
    if (offeredHeartbeat > 0) {
      heartbeatInterval = Duration.ofSeconds(offeredHeartbeat);
      scheduleHeartbeat();
    }
    if (message.hasAgentIdentification()) {
      status.adoptInstanceUid(message.getAgentIdentification().getNewInstanceUid());
    }
    if (message.hasCommand() || message.hasRemoteConfig()) {
      observer.commandReceived(status.instanceUidText(), message, receivedNanos);
    }
    // A restart is counted, not acted on: the simulated agent has no process to restart.
    if (message.hasCommand()) {
      stats.commandReceived();
    }
    if (message.hasRemoteConfig() && status.startApplying(message.getRemoteConfig())) {
      timers.startSingleTimer(
          new ApplyDone(message.getRemoteConfig().getConfigHash()),
          Duration.ofMillis(
              ThreadLocalRandom.current().nextLong(MIN_APPLY_MILLIS, MAX_APPLY_MILLIS + 1)));
    }
    if ((message.getFlags() & ServerToAgentFlags.ServerToAgentFlags_ReportFullState_VALUE) != 0) {
      status.reportFullStateNext();
    }
    if (status.hasChanges() || sendWanted) {
      send();
    }
    return this;
  }

  private Behavior<Command> onUnreadable(ChannelEvent.Unreadable unreadable) {
    if (!isStale(unreadable)) {
      stats.error(unreadable.errorKind());
    }
    return this;
  }

  private Behavior<Command> onClosed(ChannelEvent.Closed closed) {
    if (isStale(closed)) {
      return this;
    }
    if (stopping) {
      return finish();
    }
    // The server closing without a word (no error response, no Retry-After) is worth counting.
    Optional<String> errorKind =
        closed
            .errorKind()
            .or(
                () ->
                    closed.retryAfter().isEmpty()
                        ? Optional.of("closed-by-server")
                        : Optional.empty());
    return reconnectLater(errorKind, closed.retryAfter());
  }

  /** A heartbeat carries only what changed meanwhile, usually nothing; over HTTP it is the poll. */
  private Behavior<Command> onHeartbeat() {
    if (canReport()) {
      send();
    }
    return this;
  }

  private Behavior<Command> onChurn() {
    status.toggleHealth(Instant.now());
    if (canReport()) {
      send();
    }
    scheduleChurn();
    return this;
  }

  private Behavior<Command> onApplyDone(ApplyDone done) {
    boolean success = ThreadLocalRandom.current().nextDouble() >= settings.applyFailureRatio();
    if (status.finishApplying(done.configHash(), success)) {
      if (success) {
        stats.configApplied();
      } else {
        stats.configFailed();
      }
      observer.remoteConfigReported(
          status.instanceUidText(),
          done.configHash(),
          success
              ? RemoteConfigStatuses.RemoteConfigStatuses_APPLIED
              : RemoteConfigStatuses.RemoteConfigStatuses_FAILED,
          System.nanoTime());
      if (canReport()) {
        send();
      }
    }
    return this;
  }

  private Behavior<Command> onShutdown() {
    stopping = true;
    timers.cancelAll();
    if (channel == null) {
      return Behaviors.stopped();
    }
    if (!sentOnChannel) {
      // The server knows nothing of this connection yet: there is nobody to say goodbye to.
      channel.close();
      return Behaviors.stopped();
    }
    timers.startSingleTimer(ShutdownTimedOut.INSTANCE, SHUTDOWN_TIMEOUT);
    if (!awaitingAnswer) {
      sendDisconnect();
    }
    return this;
  }

  private Behavior<Command> onShutdownTimedOut() {
    stats.error("goodbye-timeout");
    channel.close();
    return finish();
  }

  /** An answer arrived while stopping: the poll in flight (then say goodbye), or the goodbye's. */
  private Behavior<Command> continueStopping() {
    if (!disconnectSent) {
      sendDisconnect();
      return this;
    }
    // Over WebSocket the goodbye is done once the socket has closed (onClosed).
    return channel.oneMessageInFlight() ? finish() : this;
  }

  private void sendDisconnect() {
    channel.send(status.disconnectMessage());
    stats.messageSent();
    disconnectSent = true;
    awaitingAnswer = channel.oneMessageInFlight();
    if (!awaitingAnswer) {
      channel.close();
    }
  }

  private Behavior<Command> finish() {
    if (answered) {
      stats.disconnected();
    }
    return Behaviors.stopped();
  }

  /** Ends the current connection and schedules the next attempt. */
  private Behavior<Command> reconnectLater(
      Optional<String> errorKind, Optional<Duration> retryAfter) {
    channel.close();
    channel = null;
    if (answered) {
      stats.disconnected();
      answered = false;
    }
    errorKind.ifPresent(stats::error);
    if (retryAfter.isPresent()) {
      stats.retryAfterHonoured();
    }
    failures++;
    timers.cancel(Heartbeat.INSTANCE);
    timers.startSingleTimer(
        Connect.INSTANCE, backoff.delay(failures, retryAfter, ThreadLocalRandom.current()));
    return this;
  }

  /** Sends the next message now, or, while an HTTP poll is out, once it is answered. */
  private void send() {
    if (awaitingAnswer) {
      sendWanted = true;
      return;
    }
    channel.send(status.nextMessage());
    stats.messageSent();
    sentOnChannel = true;
    sendWanted = false;
    awaitingAnswer = channel.oneMessageInFlight();
    scheduleHeartbeat();
  }

  /** A heartbeat is due one interval after the last message, whatever it was. */
  private void scheduleHeartbeat() {
    timers.startSingleTimer(Heartbeat.INSTANCE, heartbeatInterval);
  }

  /**
   * Health changes form a Poisson process whose rate, summed over the fleet, is churn-per-second.
   */
  private void scheduleChurn() {
    if (settings.churnPerSecond() <= 0) {
      return;
    }
    double meanSeconds = settings.agents() / settings.churnPerSecond();
    double seconds = -Math.log(1 - ThreadLocalRandom.current().nextDouble()) * meanSeconds;
    // Beyond the end of the run it would never fire (and could overflow the scheduler).
    if (seconds < settings.duration().toSeconds() + 1) {
      timers.startSingleTimer(Churn.INSTANCE, Duration.ofMillis((long) (seconds * 1000)));
    }
  }

  private boolean canReport() {
    return channel != null && sentOnChannel && !stopping;
  }

  private boolean isStale(ChannelEvent event) {
    return channel == null || event.connection() != connection;
  }
}
