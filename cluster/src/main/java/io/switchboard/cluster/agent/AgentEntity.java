package io.switchboard.cluster.agent;

import io.switchboard.cluster.CborSerializable;
import io.switchboard.opamp.proto.AgentCapabilities;
import io.switchboard.opamp.proto.AgentIdentification;
import io.switchboard.opamp.proto.AgentToServer;
import io.switchboard.opamp.proto.AgentToServerFlags;
import io.switchboard.opamp.proto.ConnectionSettingsOffers;
import io.switchboard.opamp.proto.ServerCapabilities;
import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.opamp.proto.ServerToAgentFlags;
import io.switchboard.persistence.status.AgentStatus;
import io.switchboard.persistence.status.ConnectionState;
import io.switchboard.persistence.status.StatusWriter;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
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
 * text form). It owns the agent's state, answers every message through the session that carried
 * it, fences stale sessions by epoch, and hands every change to its node's status writer.
 */
public final class AgentEntity extends AbstractBehavior<AgentEntity.Command> {

  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "Agent");

  /** What this server offers every agent; every reply carries it, so the first one does. */
  static final long SERVER_CAPABILITIES =
      ServerCapabilities.ServerCapabilities_AcceptsStatus_VALUE
          | ServerCapabilities.ServerCapabilities_AcceptsEffectiveConfig_VALUE
          | ServerCapabilities.ServerCapabilities_OffersConnectionSettings_VALUE;

  public sealed interface Command extends CborSerializable {}

  /** An agent's message, with the session that carried it. */
  public record AgentReport(AgentToServer message, Session session) implements Command {}

  /** The session with this epoch ended: its socket closed, or the agent said goodbye. */
  public record SessionEnded(long epoch, String reason) implements Command {}

  private enum IdleTimeout implements Command {
    INSTANCE
  }

  private enum HeartbeatWindowElapsed implements Command {
    INSTANCE
  }

  /**
   * The agent's connection: where replies go, its epoch (a newer epoch wins), and the node holding
   * the socket.
   */
  public record Session(ActorRef<SessionDirective> ref, long epoch, String node) implements CborSerializable {}

  /** What the entity tells a session. */
  public sealed interface SessionDirective extends CborSerializable {}

  /** Send this message to the agent. */
  public record Deliver(ServerToAgent message) implements SessionDirective {}

  /** Close this session: a newer one took over, or the agent went silent past its heartbeat window. */
  public record CloseSession(String reason) implements SessionDirective {}

  /** Starts sharding for agents on this node; entities write their status through {@code statusWriter}. */
  public static ActorRef<ShardingEnvelope<Command>> init(
      ActorSystem<?> system, ActorRef<StatusWriter.Command> statusWriter, AgentEntitySettings settings) {
    return ClusterSharding.get(system)
        .init(
            Entity.of(
                TYPE_KEY,
                entityContext ->
                    create(
                        entityContext.getEntityId(),
                        entityContext.getShard(),
                        statusWriter,
                        settings,
                        Clock.systemUTC())));
  }

  /** Creates the behavior; {@code shard} is asked to stop the entity once it has been idle. */
  public static Behavior<Command> create(
      String instanceUid,
      ActorRef<ClusterSharding.ShardCommand> shard,
      ActorRef<StatusWriter.Command> statusWriter,
      AgentEntitySettings settings,
      Clock clock) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> new AgentEntity(context, timers, instanceUid, shard, statusWriter, settings, clock)));
  }

  private final TimerScheduler<Command> timers;
  private final String instanceUid;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final ActorRef<StatusWriter.Command> statusWriter;
  private final AgentEntitySettings settings;
  private final Clock clock;
  private final AgentState state = new AgentState();
  private final ConnectionSettingsOffers connectionSettings;
  private Session session;
  /** Whether the current session has been sent the connection settings offer. */
  private boolean connectionSettingsOffered;

  private AgentEntity(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      String instanceUid,
      ActorRef<ClusterSharding.ShardCommand> shard,
      ActorRef<StatusWriter.Command> statusWriter,
      AgentEntitySettings settings,
      Clock clock) {
    super(context);
    this.timers = timers;
    this.instanceUid = instanceUid;
    this.shard = shard;
    this.statusWriter = statusWriter;
    this.settings = settings;
    this.clock = clock;
    this.connectionSettings = ServerOffers.connectionSettings(settings.heartbeatInterval());
    timers.startSingleTimer(IdleTimeout.INSTANCE, settings.idlePassivation());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(AgentReport.class, this::onAgentReport)
        .onMessage(SessionEnded.class, this::onSessionEnded)
        .onMessageEquals(IdleTimeout.INSTANCE, this::onIdleTimeout)
        .onMessageEquals(HeartbeatWindowElapsed.INSTANCE, this::onHeartbeatWindowElapsed)
        .build();
  }

  private Behavior<Command> onAgentReport(AgentReport report) {
    Session from = report.session();
    if (session != null && from.epoch() < session.epoch()) {
      from.ref().tell(new CloseSession("a newer session of this agent took over"));
      return this;
    }
    if (session != null && from.epoch() > session.epoch()) {
      session.ref().tell(new CloseSession("a newer session of this agent took over"));
    }
    if (session == null || from.epoch() != session.epoch()) {
      session = from;
      connectionSettingsOffered = false;
      timers.cancel(IdleTimeout.INSTANCE);
    }

    AgentToServer message = report.message();
    Instant now = clock.instant();
    boolean needsFullState = state.apply(message, now);
    session.ref().tell(new Deliver(reply(message, needsFullState)));

    if (message.hasAgentDisconnect()) {
      endSession("agent disconnected");
      return this;
    }
    renewHeartbeatWindow();
    recordStatus(ConnectionState.CONNECTED, now);
    return this;
  }

  /** The answer to one message: always the server capabilities, and only what the agent can take. */
  private ServerToAgent reply(AgentToServer message, boolean needsFullState) {
    long agentCapabilities = state.capabilities();
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
    if (!connectionSettingsOffered
        && (agentCapabilities & AgentCapabilities.AgentCapabilities_AcceptsOpAMPConnectionSettings_VALUE) != 0) {
      reply.setConnectionSettings(connectionSettings);
      connectionSettingsOffered = true;
    }
    return reply.build();
  }

  /**
   * An agent that promised heartbeats (ReportsHeartbeat) loses its session when it stays silent for
   * the whole window, even if its socket looks open. Agents that did not promise them (the
   * OpenTelemetry Java client, for one) keep theirs until the transport closes.
   */
  private void renewHeartbeatWindow() {
    if ((state.capabilities() & AgentCapabilities.AgentCapabilities_ReportsHeartbeat_VALUE) != 0) {
      timers.startSingleTimer(HeartbeatWindowElapsed.INSTANCE, settings.heartbeatWindow());
    } else {
      timers.cancel(HeartbeatWindowElapsed.INSTANCE);
    }
  }

  private Behavior<Command> onHeartbeatWindowElapsed() {
    if (session != null) {
      session.ref().tell(new CloseSession("no message within the heartbeat window of " + settings.heartbeatWindow()));
      endSession("heartbeat window elapsed");
    }
    return this;
  }

  private Behavior<Command> onSessionEnded(SessionEnded ended) {
    if (session != null && ended.epoch() == session.epoch()) {
      endSession(ended.reason());
    }
    return this;
  }

  private Behavior<Command> onIdleTimeout() {
    if (session == null) {
      shard.tell(new ClusterSharding.Passivate<>(getContext().getSelf()));
    }
    return this;
  }

  private void endSession(String reason) {
    getContext().getLog().debug("Session {} of agent {} ended: {}", session.epoch(), instanceUid, reason);
    recordStatus(ConnectionState.DISCONNECTED, clock.instant());
    session = null;
    timers.cancel(HeartbeatWindowElapsed.INSTANCE);
    timers.startSingleTimer(IdleTimeout.INSTANCE, settings.idlePassivation());
  }

  private void recordStatus(ConnectionState connectionState, Instant now) {
    AgentStatus status =
        new AgentStatus(
            instanceUid,
            state.nextVersion(now),
            connectionState,
            state.lastSeen(),
            state.sequenceNum(),
            session.node(),
            session.epoch(),
            state.takeChangedCapabilities(),
            state.takeChangedDescription(),
            state.takeChangedHealth(),
            state.takeChangedEffectiveConfig(),
            state.takeChangedRemoteConfigStatus(),
            now);
    statusWriter.tell(new StatusWriter.Record(status));
  }

  /** Microsecond wall-clock time, the unit of state versions. */
  static long micros(Instant instant) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
  }
}
