package io.switchboard.cluster.agent;

import io.switchboard.opamp.InstanceUid;

import io.switchboard.cluster.CborSerializable;
import io.switchboard.observability.SwitchboardMetrics;
import io.switchboard.observability.SwitchboardMetrics.Transport;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.switchboard.opamp.proto.AgentCapabilities;
import io.switchboard.opamp.proto.AgentRemoteConfig;
import io.switchboard.opamp.proto.AgentIdentification;
import io.switchboard.opamp.proto.AgentToServer;
import io.switchboard.opamp.proto.AgentToServerFlags;
import io.switchboard.opamp.proto.RemoteConfigStatuses;
import io.switchboard.opamp.proto.ServerCapabilities;
import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.opamp.proto.ServerToAgentFlags;
import io.switchboard.persistence.dispatch.EnvelopeKind;
import io.switchboard.persistence.dispatch.EnvelopeState;
import io.switchboard.persistence.dispatch.StoredDispatch;
import io.switchboard.persistence.status.AgentStatus;
import io.switchboard.persistence.status.ConnectionState;
import io.switchboard.persistence.status.StatusWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import kamon.metric.Counter;
import kamon.metric.Histogram;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * One agent, wherever Cluster Sharding placed it (entity id = the agent's instance_uid in canonical
 * text form). It owns the agent's state and its current session, answers every message through the
 * session or poll that carried it, fences stale sessions by epoch, expires silent ones, and hands
 * every change to its node's status writer.
 */
public final class AgentEntity extends AbstractBehavior<AgentEntity.Command> {

  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "Agent");

  /** The cluster role of the nodes that host agent entities (and hold agents' sockets). */
  public static final String ROLE = "agents";

  /** What this server offers every agent; every reply carries it, so the first one does. */
  static final long SERVER_CAPABILITIES =
      ServerCapabilities.ServerCapabilities_AcceptsStatus_VALUE
          | ServerCapabilities.ServerCapabilities_OffersRemoteConfig_VALUE
          | ServerCapabilities.ServerCapabilities_AcceptsEffectiveConfig_VALUE
          | ServerCapabilities.ServerCapabilities_OffersConnectionSettings_VALUE;


  public sealed interface Command extends CborSerializable {}

  /** An agent's message over WebSocket, with the session that carried it. */
  public record AgentReport(AgentToServer message, Session session) implements Command {}

  /**
   * An agent's message over plain HTTP: the reply goes back as the poll's response. Polls may land
   * on any node; {@code node} is the one that took this one.
   */
  public record AgentPoll(AgentToServer message, String node, ActorRef<ServerToAgent> replyTo) implements Command {}

  /** The session with this epoch ended: its socket closed, or the agent said goodbye. */
  public record SessionEnded(long epoch, String reason) implements Command {}

  /**
   * An operator's command from a dispatch envelope (already stored): {@code message} carries a
   * remote config (which becomes the agent's desired config), a command, or a custom message. The
   * same envelope handed over again (by the redelivery sweep) is recognised and left alone.
   */
  public record Dispatch(UUID envelope, ServerToAgent message, Instant deadline, ActorRef<DispatchOutcome> replyTo)
      implements Command {}

  /** The session of {@code epoch} put the envelope's message on its socket. */
  public record EnvelopeDelivered(UUID envelope, long epoch) implements Command {}

  /** Where the envelope stands after the entity took it, and why. */
  public record DispatchOutcome(EnvelopeState state, String detail) implements CborSerializable {}

  /** How many recent envelope ids an entity remembers to recognise redeliveries. */
  private static final int RECENT_ENVELOPES = 64;

  /**
   * What an entity last recorded of an envelope: PENDING (nothing yet), SENT from {@code node}, or
   * how it ended and why.
   */
  private record LedgerEntry(EnvelopeState state, String detail, String node) {
    static final LedgerEntry TAKEN = new LedgerEntry(EnvelopeState.PENDING, "the agent's entity holds it already", null);
  }

  private enum IdleTimeout implements Command {
    INSTANCE
  }

  private enum HeartbeatWindowElapsed implements Command {
    INSTANCE
  }

  /**
   * What the database held, when the entity started, as the agent's desired config and its own
   * connection settings (each kind absent when operators set none).
   */
  private record StoredDesiredFound(Map<EnvelopeKind, StoredDispatch> stored, Throwable failure) implements Command {}

  // Recorded for every agent message: looked up once, not per message.
  private static final Counter STATUS_MESSAGES = SwitchboardMetrics.agentMessages("status");
  private static final Counter HEARTBEAT_MESSAGES = SwitchboardMetrics.agentMessages("heartbeat");
  private static final Counter DISCONNECT_MESSAGES = SwitchboardMetrics.agentMessages("disconnect");
  private static final Counter CUSTOM_MESSAGES = SwitchboardMetrics.agentMessages("custom-message");
  private static final Histogram HEARTBEAT_LATENESS = SwitchboardMetrics.heartbeatLateness();

  /**
   * The agent's connection: where replies go, its epoch (a newer epoch wins), and the node holding
   * the socket.
   */
  public record Session(ActorRef<SessionDirective> ref, long epoch, String node) implements CborSerializable {}

  /** What the entity tells a session. */
  public sealed interface SessionDirective extends CborSerializable {}

  /** Send this message to the agent. */
  public record Deliver(ServerToAgent message) implements SessionDirective {}

  /**
   * Send this operator command to the agent, then tell {@code entity} it went out: until then the
   * entity keeps it, and gives it to the agent's next session if this one dies first.
   */
  public record DeliverEnvelope(ServerToAgent message, UUID envelope, long epoch, ActorRef<Command> entity)
      implements SessionDirective {}

  /** Close this session: a newer one took over, or the agent went silent past its heartbeat window. */
  public record CloseSession(String reason) implements SessionDirective {}

  /**
   * Starts sharding for agents: entities on this node if it has the agents role (writing their
   * status through {@code statusWriter}), otherwise a proxy to the nodes that do.
   */
  public static ActorRef<ShardingEnvelope<Command>> init(
      ActorSystem<?> system,
      ActorRef<StatusWriter.Command> statusWriter,
      DispatchLedger dispatches,
      AgentEntitySettings settings) {
    return ClusterSharding.get(system)
        .init(
            Entity.of(
                TYPE_KEY,
                entityContext ->
                    create(
                        entityContext.getEntityId(),
                        entityContext.getShard(),
                        statusWriter,
                        dispatches,
                        settings,
                        Clock.systemUTC()))
                .withRole(ROLE));
  }

  /** Creates the behavior; {@code shard} is asked to stop the entity once it has been idle. */
  public static Behavior<Command> create(
      String instanceUid,
      ActorRef<ClusterSharding.ShardCommand> shard,
      ActorRef<StatusWriter.Command> statusWriter,
      DispatchLedger dispatches,
      AgentEntitySettings settings,
      Clock clock) {
    // The agent's id goes into every log line the entity writes (JSON logs carry the MDC).
    return Behaviors.withMdc(
        Command.class,
        Map.of("agent", instanceUid),
        Behaviors.setup(
            context ->
                Behaviors.withTimers(
                    timers ->
                        new AgentEntity(
                            context, timers, instanceUid, shard, statusWriter, dispatches, settings, clock))));
  }

  private final TimerScheduler<Command> timers;
  private final String instanceUid;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final ActorRef<StatusWriter.Command> statusWriter;
  private final AgentEntitySettings settings;
  private final Clock clock;
  private final DispatchLedger dispatches;
  private final AgentState state = new AgentState();
  private final AgentOutbox outbox;
  private final AgentOutbox.Tracking tracking = new EnvelopeTracking();
  /**
   * Envelopes this entity was handed, with what it last recorded of each, so that a redelivered
   * one is not taken twice and what became of it is recorded again (the first record may never
   * have reached the database). Made on the first envelope: most agents never get one.
   */
  private Map<UUID, LedgerEntry> recentEnvelopes;
  private final ByteString uidBytes;
  private Owner owner;
  /** The connection state last handed to the status writer, to tell transitions from repeats. */
  private ConnectionState recordedConnectionState;

  /**
   * Who holds the agent now. A WebSocket session has a socket to answer through; a polling (HTTP)
   * session has none, its replies go back on each poll.
   */
  private record Owner(Transport transport, ActorRef<SessionDirective> socket, long epoch, String node) {

    static Owner of(Session session) {
      return new Owner(Transport.WEBSOCKET, session.ref(), session.epoch(), session.node());
    }

    static Owner polling(long epoch, String node) {
      return new Owner(Transport.HTTP, null, epoch, node);
    }

    void close(String reason) {
      if (transport == Transport.WEBSOCKET) {
        socket.tell(new CloseSession(reason));
      }
    }
  }

  private AgentEntity(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      String instanceUid,
      ActorRef<ClusterSharding.ShardCommand> shard,
      ActorRef<StatusWriter.Command> statusWriter,
      DispatchLedger dispatches,
      AgentEntitySettings settings,
      Clock clock) {
    super(context);
    this.dispatches = dispatches;
    this.timers = timers;
    this.instanceUid = instanceUid;
    this.shard = shard;
    this.statusWriter = statusWriter;
    this.settings = settings;
    this.clock = clock;
    this.outbox = new AgentOutbox(settings.heartbeatInterval());
    this.uidBytes = InstanceUid.toBytes(instanceUid);
    timers.startSingleTimer(IdleTimeout.INSTANCE, settings.idlePassivation());
    // A new incarnation (the node before it died, its shard moved, it was passivated) takes the
    // desired config back from the database; meanwhile it serves the agent as usual.
    context.pipeToSelf(dispatches.latestDesired(instanceUid), StoredDesiredFound::new);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(AgentReport.class, this::onAgentReport)
        .onMessage(AgentPoll.class, this::onAgentPoll)
        .onMessage(SessionEnded.class, this::onSessionEnded)
        .onMessage(Dispatch.class, this::onDispatch)
        .onMessage(StoredDesiredFound.class, this::onStoredDesiredFound)
        .onMessage(EnvelopeDelivered.class, this::onEnvelopeDelivered)
        .onMessageEquals(IdleTimeout.INSTANCE, this::onIdleTimeout)
        .onMessageEquals(HeartbeatWindowElapsed.INSTANCE, this::onHeartbeatWindowElapsed)
        .onSignal(PostStop.class, signal -> onStop())
        .build();
  }

  private Behavior<Command> onAgentReport(AgentReport report) {
    Session from = report.session();
    if (owner != null && from.epoch() < owner.epoch()) {
      from.ref().tell(new CloseSession("a newer session of this agent took over"));
      return this;
    }
    if (owner == null || owner.epoch() != from.epoch()) {
      takeOver(Owner.of(from));
    }
    ActorRef<SessionDirective> socket = from.ref();
    handle(report.message(), reply -> socket.tell(new Deliver(reply)));
    return this;
  }

  private Behavior<Command> onAgentPoll(AgentPoll poll) {
    if (owner == null || owner.transport() != Transport.HTTP) {
      long epoch = Math.max(owner == null ? 0 : owner.epoch() + 1, micros(clock.instant()));
      takeOver(Owner.polling(epoch, poll.node()));
    } else if (!owner.node().equals(poll.node())) {
      owner = Owner.polling(owner.epoch(), poll.node());
    }
    handle(poll.message(), poll.replyTo()::tell);
    return this;
  }

  private void takeOver(Owner newer) {
    if (owner != null) {
      owner.close("a newer session of this agent took over");
      countPollingSession(owner, false);
      requeueUnconfirmed();
    }
    owner = newer;
    outbox.newSession();
    countPollingSession(owner, true);
    timers.cancel(IdleTimeout.INSTANCE);
  }

  /** Merges the message, answers it, and records the agent's new status. */
  private void handle(AgentToServer message, Consumer<ServerToAgent> answer) {
    Instant now = clock.instant();
    countMessage(message, state.lastSeen(), now);
    boolean needsFullState = state.apply(message, now);
    if (message.hasRemoteConfigStatus()) {
      outbox.confirm(message.getRemoteConfigStatus(), tracking);
    }
    answer.accept(reply(message, needsFullState, now));
    if (owner.transport() == Transport.WEBSOCKET && state.capabilities() != 0) {
      outbox.takeWaiting(state, now, tracking).forEach(this::pushWaiting);
    }
    if (message.hasAgentDisconnect()) {
      endSession("agent disconnected");
      return;
    }
    renewHeartbeatWindow();
    recordStatus(ConnectionState.CONNECTED, now);
  }

  /** Counts the message by kind, and how late a heartbeating agent's message came. */
  private void countMessage(AgentToServer message, Instant previous, Instant now) {
    if (message.hasAgentDisconnect()) {
      DISCONNECT_MESSAGES.increment();
    } else if (message.hasCustomMessage()) {
      CUSTOM_MESSAGES.increment();
    } else if (message.hasAgentDescription()
        || message.hasHealth()
        || message.hasEffectiveConfig()
        || message.hasRemoteConfigStatus()
        || message.hasPackageStatuses()
        || message.hasCustomCapabilities()) {
      STATUS_MESSAGES.increment();
    } else {
      HEARTBEAT_MESSAGES.increment();
    }
    // Only within a live session: a gap past the heartbeat window is a reconnect, not a late beat.
    long gapNanos = ChronoUnit.NANOS.between(previous, now);
    if (!previous.equals(Instant.EPOCH)
        && gapNanos <= settings.heartbeatWindow().toNanos()
        && state.hasCapability(AgentCapabilities.AgentCapabilities_ReportsHeartbeat_VALUE)) {
      HEARTBEAT_LATENESS.record(Math.max(0, gapNanos - settings.heartbeatInterval().toNanos()));
    }
  }

  /** The answer to one message: always the server capabilities, and only what the agent can take. */
  private ServerToAgent reply(AgentToServer message, boolean needsFullState, Instant now) {
    ServerToAgent.Builder reply =
        ServerToAgent.newBuilder().setInstanceUid(message.getInstanceUid()).setCapabilities(SERVER_CAPABILITIES);
    if (needsFullState) {
      getContext()
          .getLog()
          .debug("Asking agent {} for its full state (sequence_num {})", instanceUid, message.getSequenceNum());
      reply.setFlags(ServerToAgentFlags.ServerToAgentFlags_ReportFullState_VALUE);
    }
    if ((message.getFlags() & AgentToServerFlags.AgentToServerFlags_RequestInstanceUid_VALUE) != 0) {
      reply.setAgentIdentification(AgentIdentification.newBuilder().setNewInstanceUid(InstanceUid.newUid()));
    }
    outbox.addTo(reply, state, owner.transport() == Transport.HTTP, now, tracking);
    return reply.build();
  }

  private Behavior<Command> onDispatch(Dispatch dispatch) {
    DispatchOutcome outcome = take(dispatch, clock.instant());
    // No outcome yet for a command on its way down a session: the session's confirmation answers.
    if (outcome != null) {
      dispatch.replyTo().tell(outcome);
    }
    return this;
  }

  private DispatchOutcome take(Dispatch dispatch, Instant now) {
    if (!firstSight(dispatch.envelope())) {
      return recordAgain(dispatch.envelope());
    }
    if (!now.isBefore(dispatch.deadline())) {
      return close(dispatch.envelope(), EnvelopeState.EXPIRED, "the deadline passed before it reached the agent");
    }
    String refusal = AgentOutbox.refusal(dispatch.message(), state);
    if (refusal != null) {
      return close(dispatch.envelope(), EnvelopeState.FAILED, refusal);
    }
    if (dispatch.message().hasRemoteConfig()) {
      return offerRemoteConfig(dispatch, now);
    }
    if (dispatch.message().hasConnectionSettings()) {
      return offerConnectionSettings(dispatch);
    }
    return sendOrHold(new AgentOutbox.Waiting(dispatch.envelope(), dispatch.message(), dispatch.deadline(), dispatch.replyTo()));
  }

  /** Takes back what operators had set for the agent, unless newer orders reached it meanwhile. */
  private Behavior<Command> onStoredDesiredFound(StoredDesiredFound found) {
    if (found.failure() != null) {
      getContext()
          .getLog()
          .warn("Could not read agent {}'s desired config; open envelopes come back with the dispatch sweep: {}", instanceUid, found.failure().toString());
      return this;
    }
    StoredDispatch config = found.stored().get(EnvelopeKind.REMOTE_CONFIG);
    if (config != null && firstSight(config.envelope())) {
      parsed(config).ifPresent(message -> restoreDesiredConfig(config, message.getRemoteConfig()));
    }
    StoredDispatch settings = found.stored().get(EnvelopeKind.CONNECTION_SETTINGS);
    if (settings != null && firstSight(settings.envelope())) {
      parsed(settings)
          .ifPresent(
              message ->
                  outbox.preferConnectionSettings(
                      settings.state() == EnvelopeState.PENDING ? settings.envelope() : null,
                      message.getConnectionSettings(),
                      tracking));
    }
    return this;
  }

  private void restoreDesiredConfig(StoredDispatch stored, AgentRemoteConfig config) {
    if (outbox.hasDesiredConfig()) {
      // An operator's newer config reached this entity before the database answered.
      if (stored.state().isOpen()) {
        tracking.closed(stored.envelope(), EnvelopeState.FAILED, "superseded by a newer remote config");
      }
      return;
    }
    if (stored.state() == EnvelopeState.APPLIED) {
      outbox.recallApplied(config);
    } else {
      outbox.desire(stored.envelope(), config, stored.deadline(), tracking);
    }
    if (owner != null && owner.transport() == Transport.WEBSOCKET && outbox.desiredConfigDue(state, clock.instant())) {
      push(ServerToAgent.newBuilder().setRemoteConfig(outbox.takeDesiredConfig(tracking)));
    }
  }

  private Optional<ServerToAgent> parsed(StoredDispatch stored) {
    try {
      return Optional.of(ServerToAgent.parseFrom(stored.message()));
    } catch (InvalidProtocolBufferException e) {
      getContext().getLog().error("Dispatch {} holds an unreadable message; ignored", stored.envelope(), e);
      return Optional.empty();
    }
  }

  /** False for an envelope this entity was handed before (a redelivery). */
  private boolean firstSight(UUID envelope) {
    return recentEnvelopes().putIfAbsent(envelope, LedgerEntry.TAKEN) == null;
  }

  private Map<UUID, LedgerEntry> recentEnvelopes() {
    if (recentEnvelopes == null) {
      recentEnvelopes = new BoundedMap<>(RECENT_ENVELOPES);
    }
    return recentEnvelopes;
  }

  /**
   * A redelivered envelope: the sweep found it open in the database. If this entity sent or closed
   * it, that record was lost (the database refused it past every retry), so it is written again;
   * both writes only ever move an envelope forward.
   */
  private DispatchOutcome recordAgain(UUID envelope) {
    LedgerEntry known = recentEnvelopes.get(envelope);
    if (known.state() == EnvelopeState.SENT) {
      dispatches.sent(envelope, known.node());
      return new DispatchOutcome(EnvelopeState.SENT, "sent from " + known.node() + "; recorded again");
    }
    if (!known.state().isOpen()) {
      dispatches.closed(envelope, known.state(), known.detail());
    }
    return new DispatchOutcome(known.state(), known.detail());
  }

  /**
   * Connection settings for this agent alone: offered now down a WebSocket, else with the answer to
   * its next message, and on every session after.
   */
  private DispatchOutcome offerConnectionSettings(Dispatch dispatch) {
    outbox.preferConnectionSettings(dispatch.envelope(), dispatch.message().getConnectionSettings(), tracking);
    if (owner == null || state.capabilities() == 0) {
      noSession();
      return new DispatchOutcome(EnvelopeState.PENDING, "offered when the agent next reports");
    }
    if (owner.transport() == Transport.HTTP) {
      return new DispatchOutcome(EnvelopeState.PENDING, "offered in the answer to the agent's next poll");
    }
    push(ServerToAgent.newBuilder().setConnectionSettings(outbox.takeConnectionSettings(tracking)));
    renewHeartbeatWindow();
    return new DispatchOutcome(EnvelopeState.SENT, "sent");
  }

  private DispatchOutcome offerRemoteConfig(Dispatch dispatch, Instant now) {
    outbox.desire(dispatch.envelope(), dispatch.message().getRemoteConfig(), dispatch.deadline(), tracking);
    outbox.confirm(state.reportedRemoteConfigStatus(), tracking);
    if (!outbox.awaitsConfirmation()) {
      return new DispatchOutcome(
          state.reportedRemoteConfigStatus().getStatus() == RemoteConfigStatuses.RemoteConfigStatuses_APPLIED
              ? EnvelopeState.APPLIED
              : EnvelopeState.FAILED,
          "the agent already reported on this configuration");
    }
    if (owner == null || state.capabilities() == 0) {
      noSession();
      return new DispatchOutcome(EnvelopeState.PENDING, "sent when the agent next reports");
    }
    if (owner.transport() == Transport.HTTP) {
      return new DispatchOutcome(EnvelopeState.PENDING, "queued for the agent's next poll");
    }
    if (!outbox.desiredConfigDue(state, now)) {
      return new DispatchOutcome(EnvelopeState.PENDING, "sent on the agent's next session");
    }
    push(ServerToAgent.newBuilder().setRemoteConfig(outbox.takeDesiredConfig(tracking)));
    return new DispatchOutcome(EnvelopeState.SENT, "sent");
  }

  /**
   * Commands and custom messages go down a WebSocket session now; otherwise they wait for the next
   * poll, or for the agent to come back, until their deadline.
   */
  private DispatchOutcome sendOrHold(AgentOutbox.Waiting message) {
    if (owner != null && owner.transport() == Transport.WEBSOCKET && state.capabilities() != 0) {
      pushWaiting(message);
      return null;
    }
    // Answered below already: whoever asked is not told again when it goes out.
    AgentOutbox.Waiting held =
        new AgentOutbox.Waiting(message.envelope(), message.message(), message.deadline(), getContext().getSystem().ignoreRef());
    if (!outbox.hold(held)) {
      return close(
          message.envelope(),
          EnvelopeState.FAILED,
          AgentOutbox.MAX_WAITING + " messages are already waiting for this agent");
    }
    if (owner == null) {
      noSession();
      return new DispatchOutcome(EnvelopeState.PENDING, "kept until the agent reconnects or the deadline passes");
    }
    return new DispatchOutcome(EnvelopeState.PENDING, "queued for the agent's next poll");
  }

  private DispatchOutcome close(UUID envelope, EnvelopeState outcome, String detail) {
    tracking.closed(envelope, outcome, detail);
    return new DispatchOutcome(outcome, detail);
  }

  private static void noSession() {
    SwitchboardMetrics.dispatchNoSession().increment();
  }

  /** Hands a command to the WebSocket session; it counts as sent once the session confirms it. */
  private void pushWaiting(AgentOutbox.Waiting message) {
    ActorRef<SessionDirective> socket = owner.socket();
    SwitchboardMetrics.deliveries(socket.path().address().hasGlobalScope() ? "forwarded" : "local").increment();
    ServerToAgent command = message.message().toBuilder().setInstanceUid(uidBytes).setCapabilities(SERVER_CAPABILITIES).build();
    socket.tell(new DeliverEnvelope(command, message.envelope(), owner.epoch(), getContext().getSelf()));
    outbox.inFlight(message, owner.epoch(), owner.node());
  }

  private Behavior<Command> onEnvelopeDelivered(EnvelopeDelivered delivered) {
    outbox
        .delivered(delivered.envelope(), delivered.epoch())
        .ifPresent(
            sent -> {
              dispatches.sent(sent.message().envelope(), sent.node());
              sent.message().replyTo().tell(new DispatchOutcome(EnvelopeState.SENT, "sent"));
            });
    return this;
  }

  /** What the ending session never confirmed goes to the agent's next session instead. */
  private void requeueUnconfirmed() {
    for (AgentOutbox.Waiting unconfirmed : outbox.sessionLost(getContext().getSystem().ignoreRef())) {
      unconfirmed
          .replyTo()
          .tell(new DispatchOutcome(EnvelopeState.PENDING, "the session ended before it went out; kept for the next one"));
    }
  }

  /** A message on the server's initiative, down the current WebSocket, wherever its node is. */
  private void push(ServerToAgent.Builder message) {
    ActorRef<SessionDirective> socket = owner.socket();
    SwitchboardMetrics.deliveries(socket.path().address().hasGlobalScope() ? "forwarded" : "local").increment();
    socket.tell(new Deliver(message.setInstanceUid(uidBytes).setCapabilities(SERVER_CAPABILITIES).build()));
  }

  /**
   * Silence for a whole heartbeat window ends the session of an agent that promised heartbeats
   * (ReportsHeartbeat) or that polls over HTTP, even if its socket looks open. WebSocket agents that
   * promised none (the OpenTelemetry Java client, for one) keep their session until the socket
   * closes.
   */
  private void renewHeartbeatWindow() {
    if (owner.transport() == Transport.HTTP
        || state.hasCapability(AgentCapabilities.AgentCapabilities_ReportsHeartbeat_VALUE)) {
      timers.startSingleTimer(HeartbeatWindowElapsed.INSTANCE, heartbeatWindow());
    } else {
      timers.cancel(HeartbeatWindowElapsed.INSTANCE);
    }
  }

  /**
   * The fleet's heartbeat window, or three of this agent's own heartbeat intervals when operators
   * gave it a longer one.
   */
  private Duration heartbeatWindow() {
    if (outbox.heartbeatInterval().compareTo(settings.heartbeatInterval()) <= 0) {
      return settings.heartbeatWindow();
    }
    Duration own = outbox.heartbeatInterval().multipliedBy(3);
    return own.compareTo(settings.heartbeatWindow()) > 0 ? own : settings.heartbeatWindow();
  }

  private Behavior<Command> onHeartbeatWindowElapsed() {
    if (owner != null) {
      owner.close("no message within the heartbeat window of " + heartbeatWindow());
      endSession("heartbeat window elapsed");
    }
    return this;
  }

  private Behavior<Command> onSessionEnded(SessionEnded ended) {
    if (owner != null && ended.epoch() == owner.epoch()) {
      endSession(ended.reason());
    }
    return this;
  }

  /**
   * An entity without a session stops after a quiet spell, unless envelopes wait in it: then it
   * stays, expiring them as their deadlines pass.
   */
  private Behavior<Command> onIdleTimeout() {
    if (owner == null) {
      outbox.expire(clock.instant(), tracking);
      if (outbox.isIdle()) {
        shard.tell(new ClusterSharding.Passivate<>(getContext().getSelf()));
      } else {
        timers.startSingleTimer(IdleTimeout.INSTANCE, settings.idlePassivation());
      }
    }
    return this;
  }

  private Behavior<Command> onStop() {
    if (owner != null) {
      countPollingSession(owner, false);
    }
    return this;
  }

  private void endSession(String reason) {
    getContext().getLog().debug("Session {} of agent {} ended: {}", owner.epoch(), instanceUid, reason);
    requeueUnconfirmed();
    recordStatus(ConnectionState.DISCONNECTED, clock.instant());
    countPollingSession(owner, false);
    owner = null;
    timers.cancel(HeartbeatWindowElapsed.INSTANCE);
    timers.startSingleTimer(IdleTimeout.INSTANCE, settings.idlePassivation());
  }

  /**
   * A WebSocket session is counted by the node holding its socket; a polling session has no socket,
   * so it is counted here, on the node hosting the agent's entity.
   */
  private static void countPollingSession(Owner owner, boolean started) {
    if (owner.transport() == Transport.HTTP) {
      if (started) {
        SwitchboardMetrics.activeSessions(Transport.HTTP).increment();
      } else {
        SwitchboardMetrics.activeSessions(Transport.HTTP).decrement();
      }
    }
  }

  private void recordStatus(ConnectionState connectionState, Instant now) {
    AgentState.Changes changes = state.takeChanges();
    boolean notable = connectionState != recordedConnectionState || changes.any();
    recordedConnectionState = connectionState;
    AgentStatus status =
        new AgentStatus(
            instanceUid,
            state.nextVersion(now),
            connectionState,
            state.lastSeen(),
            state.sequenceNum(),
            owner.node(),
            owner.epoch(),
            changes.capabilities(),
            changes.description(),
            changes.health(),
            changes.effectiveConfig(),
            changes.remoteConfigStatus(),
            changes.customCapabilities(),
            changes.customMessages(),
            notable,
            now,
            now);
    statusWriter.tell(new StatusWriter.Record(status));
  }

  /** Records envelope changes in the ledger, naming the node that holds the agent's session. */
  private final class EnvelopeTracking implements AgentOutbox.Tracking {
    @Override
    public void sent(UUID envelope) {
      recentEnvelopes().put(envelope, new LedgerEntry(EnvelopeState.SENT, null, owner.node()));
      dispatches.sent(envelope, owner.node());
    }

    @Override
    public void closed(UUID envelope, EnvelopeState outcome, String detail) {
      getContext().getLog().debug("Dispatch {} for agent {} ended {}: {}", envelope, instanceUid, outcome, detail);
      recentEnvelopes().put(envelope, new LedgerEntry(outcome, detail, null));
      dispatches.closed(envelope, outcome, detail);
    }
  }

  /** Keeps the most recent entries only. */
  private static final class BoundedMap<K, V> extends LinkedHashMap<K, V> {
    private final int limit;

    BoundedMap(int limit) {
      this.limit = limit;
    }

    @Override
    protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
      return size() > limit;
    }
  }

  /** Microsecond wall-clock time, the unit of epochs and state versions. */
  static long micros(Instant instant) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
  }
}
