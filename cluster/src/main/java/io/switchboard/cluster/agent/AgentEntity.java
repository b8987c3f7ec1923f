package io.switchboard.cluster.agent;

import com.google.protobuf.ByteString;
import io.switchboard.cluster.agent.AgentProtocol.AgentPoll;
import io.switchboard.cluster.agent.AgentProtocol.AgentReport;
import io.switchboard.cluster.agent.AgentProtocol.CloseSession;
import io.switchboard.cluster.agent.AgentProtocol.Command;
import io.switchboard.cluster.agent.AgentProtocol.Deliver;
import io.switchboard.cluster.agent.AgentProtocol.EnvelopeDelivered;
import io.switchboard.cluster.agent.AgentProtocol.EnvelopeReceipt;
import io.switchboard.cluster.agent.AgentProtocol.Session;
import io.switchboard.cluster.agent.AgentProtocol.SessionDirective;
import io.switchboard.cluster.agent.AgentProtocol.SessionEnded;
import io.switchboard.cluster.agent.AgentProtocol.TakeEnvelope;
import io.switchboard.observability.SwitchboardMetrics;
import io.switchboard.observability.SwitchboardMetrics.Transport;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.opamp.proto.AgentCapabilities;
import io.switchboard.opamp.proto.AgentIdentification;
import io.switchboard.opamp.proto.AgentToServer;
import io.switchboard.opamp.proto.AgentToServerFlags;
import io.switchboard.opamp.proto.ServerCapabilities;
import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.opamp.proto.ServerToAgentFlags;
import io.switchboard.persistence.envelopes.EnvelopeKind;
import io.switchboard.persistence.envelopes.LatestEnvelope;
import io.switchboard.persistence.status.AgentStatus;
import io.switchboard.persistence.status.ConnectionState;
import io.switchboard.persistence.status.StatusWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
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
import org.slf4j.Logger;

/**
 * One agent, wherever Cluster Sharding placed it (entity id = the agent's instance_uid in canonical
 * text form). It owns the agent's state and its current session ({@link SessionOwner}), answers
 * every message through the session or poll that carried it, fences stale sessions by epoch,
 * expires silent ones, and hands every change to its node's status writer. Operators' commands are
 * taken by its {@link EnvelopeIntake}. Its messages are in {@link AgentProtocol}.
 */
public final class AgentEntity extends AbstractBehavior<Command> {

  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "Agent");

  /** The cluster role of the nodes that host agent entities (and hold agents' sockets). */
  public static final String ROLE = "agents";

  /** What this server offers every agent; every reply carries it, so the first one does. */
  static final long SERVER_CAPABILITIES =
      ServerCapabilities.ServerCapabilities_AcceptsStatus_VALUE
          | ServerCapabilities.ServerCapabilities_OffersRemoteConfig_VALUE
          | ServerCapabilities.ServerCapabilities_AcceptsEffectiveConfig_VALUE
          | ServerCapabilities.ServerCapabilities_OffersConnectionSettings_VALUE;

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
  private record StoredDesiredFound(Map<EnvelopeKind, LatestEnvelope> stored, Throwable failure) implements Command {}

  // Recorded for every agent message: looked up once, not per message.
  private static final Counter STATUS_MESSAGES = SwitchboardMetrics.agentMessages("status");
  private static final Counter HEARTBEAT_MESSAGES = SwitchboardMetrics.agentMessages("heartbeat");
  private static final Counter DISCONNECT_MESSAGES = SwitchboardMetrics.agentMessages("disconnect");
  private static final Counter CUSTOM_MESSAGES = SwitchboardMetrics.agentMessages("custom-message");
  private static final Histogram HEARTBEAT_LATENESS = SwitchboardMetrics.heartbeatLateness();

  /**
   * Starts sharding for agents: entities on this node if it has the agents role (writing their
   * status through {@code statusWriter}), otherwise a proxy to the nodes that do.
   */
  public static ActorRef<ShardingEnvelope<Command>> init(
      ActorSystem<?> system,
      ActorRef<StatusWriter.Command> statusWriter,
      EnvelopeLedger ledger,
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
                            ledger,
                            settings,
                            Clock.systemUTC()))
                .withRole(ROLE));
  }

  /** Creates the behavior; {@code shard} is asked to stop the entity once it has been idle. */
  public static Behavior<Command> create(
      String instanceUid,
      ActorRef<ClusterSharding.ShardCommand> shard,
      ActorRef<StatusWriter.Command> statusWriter,
      EnvelopeLedger ledger,
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
                        new AgentEntity(context, timers, instanceUid, shard, statusWriter, ledger, settings, clock))));
  }

  private final TimerScheduler<Command> timers;
  private final String instanceUid;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final ActorRef<StatusWriter.Command> statusWriter;
  private final AgentEntitySettings settings;
  private final Clock clock;
  private final AgentState state = new AgentState();
  private final AgentOutbox outbox;
  private final EnvelopeIntake envelopes;
  private final ByteString uidBytes;
  private SessionOwner owner;
  /** The connection state last handed to the status writer, to tell transitions from repeats. */
  private ConnectionState recordedConnectionState;

  private AgentEntity(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      String instanceUid,
      ActorRef<ClusterSharding.ShardCommand> shard,
      ActorRef<StatusWriter.Command> statusWriter,
      EnvelopeLedger ledger,
      AgentEntitySettings settings,
      Clock clock) {
    super(context);
    this.timers = timers;
    this.instanceUid = instanceUid;
    this.shard = shard;
    this.statusWriter = statusWriter;
    this.settings = settings;
    this.clock = clock;
    this.outbox = new AgentOutbox(settings.heartbeatInterval());
    this.envelopes = new EnvelopeIntake(new IntakeView(), instanceUid, outbox, ledger);
    this.uidBytes = InstanceUid.toBytes(instanceUid);
    timers.startSingleTimer(IdleTimeout.INSTANCE, settings.idlePassivation());
    // A new incarnation (the node before it died, its shard moved, it was passivated) takes the
    // desired config back from the database; meanwhile it serves the agent as usual.
    context.pipeToSelf(ledger.latestDesired(instanceUid), StoredDesiredFound::new);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(AgentReport.class, this::onAgentReport)
        .onMessage(AgentPoll.class, this::onAgentPoll)
        .onMessage(SessionEnded.class, this::onSessionEnded)
        .onMessage(TakeEnvelope.class, this::onTakeEnvelope)
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
      takeOver(SessionOwner.of(from));
    }
    ActorRef<SessionDirective> socket = from.ref();
    handle(report.message(), reply -> socket.tell(new Deliver(reply)));
    return this;
  }

  private Behavior<Command> onAgentPoll(AgentPoll poll) {
    if (owner == null || owner.isWebSocket()) {
      long epoch = Math.max(owner == null ? 0 : owner.epoch() + 1, micros(clock.instant()));
      takeOver(SessionOwner.polling(epoch, poll.node()));
    } else if (!owner.node().equals(poll.node())) {
      owner = owner.pollingThrough(poll.node());
    }
    handle(poll.message(), poll.replyTo()::tell);
    return this;
  }

  private void takeOver(SessionOwner newer) {
    if (owner != null) {
      owner.close("a newer session of this agent took over");
      owner.countAsActive(false);
      envelopes.sessionLost();
    }
    owner = newer;
    outbox.newSession();
    owner.countAsActive(true);
    timers.cancel(IdleTimeout.INSTANCE);
  }

  /** Merges the message, answers it, and records the agent's new status. */
  private void handle(AgentToServer message, Consumer<ServerToAgent> answer) {
    Instant now = clock.instant();
    countMessage(message, state.lastSeen(), now);
    boolean needsFullState = state.apply(message, now);
    if (message.hasRemoteConfigStatus()) {
      outbox.confirm(message.getRemoteConfigStatus(), envelopes.tracking());
    }
    answer.accept(reply(message, needsFullState, now));
    if (owner.isWebSocket() && state.capabilities() != 0) {
      envelopes.sendWaiting(now);
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
    outbox.addTo(reply, state, !owner.isWebSocket(), now, envelopes.tracking());
    return reply.build();
  }

  private Behavior<Command> onTakeEnvelope(TakeEnvelope take) {
    EnvelopeReceipt receipt = envelopes.take(take, clock.instant());
    // No receipt yet for a command on its way down a session: the session's confirmation answers.
    if (receipt != null) {
      take.replyTo().tell(receipt);
    }
    return this;
  }

  private Behavior<Command> onStoredDesiredFound(StoredDesiredFound found) {
    if (found.failure() != null) {
      getContext()
          .getLog()
          .warn(
              "Could not read agent {}'s desired config; open envelopes come back with the envelope sweep: {}",
              instanceUid,
              found.failure().toString());
    } else {
      envelopes.restore(found.stored(), clock.instant());
    }
    return this;
  }

  private Behavior<Command> onEnvelopeDelivered(EnvelopeDelivered delivered) {
    envelopes.delivered(delivered);
    return this;
  }

  /**
   * Silence for a whole heartbeat window ends the session of an agent that promised heartbeats
   * (ReportsHeartbeat) or that polls over HTTP, even if its socket looks open. WebSocket agents that
   * promised none (the OpenTelemetry Java client, for one) keep their session until the socket
   * closes.
   */
  private void renewHeartbeatWindow() {
    if (!owner.isWebSocket() || state.hasCapability(AgentCapabilities.AgentCapabilities_ReportsHeartbeat_VALUE)) {
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
      outbox.expire(clock.instant(), envelopes.tracking());
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
      owner.countAsActive(false);
    }
    return this;
  }

  private void endSession(String reason) {
    getContext().getLog().debug("Session {} of agent {} ended: {}", owner.epoch(), instanceUid, reason);
    envelopes.sessionLost();
    recordStatus(ConnectionState.DISCONNECTED, clock.instant());
    owner.countAsActive(false);
    owner = null;
    timers.cancel(HeartbeatWindowElapsed.INSTANCE);
    timers.startSingleTimer(IdleTimeout.INSTANCE, settings.idlePassivation());
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

  /** What the envelope intake sees of this entity. */
  private final class IntakeView implements EnvelopeIntake.Entity {
    @Override
    public SessionOwner owner() {
      return owner;
    }

    @Override
    public AgentState state() {
      return state;
    }

    @Override
    public ActorRef<Command> self() {
      return getContext().getSelf();
    }

    @Override
    public ActorRef<EnvelopeReceipt> nobody() {
      return getContext().getSystem().ignoreRef();
    }

    @Override
    public void push(ServerToAgent.Builder message) {
      AgentEntity.this.push(message);
    }

    @Override
    public void heartbeatIntervalChanged() {
      renewHeartbeatWindow();
    }

    @Override
    public Logger log() {
      return getContext().getLog();
    }
  }

  /** A message on the server's initiative, down the current WebSocket, wherever its node is. */
  private void push(ServerToAgent.Builder message) {
    SwitchboardMetrics.deliveries(owner.route()).increment();
    owner.socket().tell(new Deliver(message.setInstanceUid(uidBytes).setCapabilities(SERVER_CAPABILITIES).build()));
  }

  /** Microsecond wall-clock time, the unit of epochs and state versions. */
  static long micros(Instant instant) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
  }
}
