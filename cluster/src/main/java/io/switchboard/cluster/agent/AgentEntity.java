package io.switchboard.cluster.agent;

import com.google.protobuf.ByteString;
import io.switchboard.cluster.agent.AgentProtocol.AgentPoll;
import io.switchboard.cluster.agent.AgentProtocol.AgentReport;
import io.switchboard.cluster.agent.AgentProtocol.CloseSession;
import io.switchboard.cluster.agent.AgentProtocol.Command;
import io.switchboard.cluster.agent.AgentProtocol.CredentialReset;
import io.switchboard.cluster.agent.AgentProtocol.Deliver;
import io.switchboard.cluster.agent.AgentProtocol.EnvelopeDelivered;
import io.switchboard.cluster.agent.AgentProtocol.EnvelopeReceipt;
import io.switchboard.cluster.agent.AgentProtocol.PollAnswer;
import io.switchboard.cluster.agent.AgentProtocol.Remove;
import io.switchboard.cluster.agent.AgentProtocol.Session;
import io.switchboard.cluster.agent.AgentProtocol.SessionEnded;
import io.switchboard.cluster.agent.AgentProtocol.TakeEnvelope;
import io.switchboard.observability.SwitchboardMetrics;
import io.switchboard.observability.tracing.Tracing;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.opamp.proto.AgentCapabilities;
import io.switchboard.opamp.proto.AgentToServer;
import io.switchboard.opamp.proto.ServerCapabilities;
import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.persistence.agents.AgentStart;
import io.switchboard.persistence.status.ConnectionState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * One agent, wherever Cluster Sharding placed it (entity id = its instance_uid): it reads what the
 * database holds ({@link EntityStart}), then owns the agent's state and session ({@link
 * SessionOwner}, {@link AgentIdentity}, {@link SupersededSessions}); commands go to {@link
 * EnvelopeIntake}, replies to {@link AgentReplies}, certificate requests to {@link
 * CertificateRequests}, its status to the node's status writer through {@link StatusRecorder}
 * (which leaves out plain heartbeats within the last-seen interval; a new description is written at
 * once, and the node decides the agent's assignment from the stored row).
 */
public final class AgentEntity extends AbstractBehavior<Command> {

  public static final EntityTypeKey<Command> TYPE_KEY =
      EntityTypeKey.create(Command.class, "Agent");

  /** The cluster role of the nodes that host agent entities (and hold agents' sockets). */
  public static final String ROLE = "agents";

  /** What this server offers every agent; every reply carries it, so the first one does. */
  static final long SERVER_CAPABILITIES =
      ServerCapabilities.ServerCapabilities_AcceptsStatus_VALUE
          | ServerCapabilities.ServerCapabilities_OffersRemoteConfig_VALUE
          | ServerCapabilities.ServerCapabilities_AcceptsEffectiveConfig_VALUE
          | ServerCapabilities.ServerCapabilities_OffersConnectionSettings_VALUE
          | ServerCapabilities.ServerCapabilities_OffersPackages_VALUE
          | ServerCapabilities.ServerCapabilities_AcceptsPackagesStatus_VALUE
          | ServerCapabilities.ServerCapabilities_AcceptsConnectionSettingsRequest_VALUE;

  private enum IdleTimeout implements Command {
    INSTANCE
  }

  private enum HeartbeatWindowElapsed implements Command {
    INSTANCE
  }

  private enum ReadAgain implements Command {
    INSTANCE
  }

  private record ReadAgainDone(AgentStart start, Throwable failure) implements Command {}

  /**
   * Starts sharding for agents: entities on this node if it has the agents role, otherwise a proxy
   * to the nodes that do.
   */
  public static ActorRef<ShardingEnvelope<Command>> init(
      ActorSystem<?> system, AgentDependencies dependencies, AgentEntitySettings settings) {
    return ClusterSharding.get(system)
        .init(
            Entity.of(
                    TYPE_KEY,
                    entityContext ->
                        create(
                            entityContext.getEntityId(),
                            entityContext.getShard(),
                            dependencies,
                            settings,
                            Clock.systemUTC()))
                .withRole(ROLE));
  }

  /** Creates the behavior; {@code shard} is asked to stop the entity once it has been idle. */
  public static Behavior<Command> create(
      String instanceUid,
      ActorRef<ClusterSharding.ShardCommand> shard,
      AgentDependencies dependencies,
      AgentEntitySettings settings,
      Clock clock) {
    return EntityStart.create(instanceUid, shard, dependencies, settings, clock);
  }

  private final TimerScheduler<Command> timers;
  private final String instanceUid;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final AgentDependencies dependencies;
  private final AgentEntitySettings settings;
  private final Clock clock;
  private final AgentState state = new AgentState();
  private final AgentOutbox outbox;
  private final EnvelopeIntake envelopes;
  private final AgentReplies replies;
  private final SessionAdmission admission;
  private final CertificateRequests certificates;
  private final ByteString uidBytes;
  private SessionOwner owner;
  private final SupersededSessions superseded = new SupersededSessions();

  private final StatusRecorder status;

  /** Set once an operator removed the agent: nothing more is recorded. */
  private boolean removed;

  AgentEntity(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      String instanceUid,
      ActorRef<ClusterSharding.ShardCommand> shard,
      AgentDependencies dependencies,
      AgentEntitySettings settings,
      Clock clock,
      EntityStart.Started started) {
    super(context);
    this.timers = timers;
    this.instanceUid = instanceUid;
    this.shard = shard;
    this.dependencies = dependencies;
    this.settings = settings;
    this.clock = clock;
    this.outbox = new AgentOutbox(settings.connectionSettings(), settings.secrets());
    EnvelopeIntake.Entity entity =
        new EnvelopeIntake.Entity(
            () -> owner,
            state,
            context.getSelf(),
            context.getSystem().ignoreRef(),
            this::push,
            this::renewHeartbeatWindow,
            context.getLog());
    this.envelopes = new EnvelopeIntake(entity, instanceUid, outbox, dependencies);
    this.certificates =
        new CertificateRequests(
            instanceUid,
            entity,
            outbox,
            envelopes.tracking(),
            dependencies.certificates(),
            context);
    this.replies =
        new AgentReplies(instanceUid, state, outbox, envelopes.tracking(), context.getLog());
    this.admission =
        new SessionAdmission(instanceUid, started, dependencies, settings, clock, context.getLog());
    this.uidBytes = InstanceUid.toBytes(instanceUid);
    this.status =
        new StatusRecorder(instanceUid, dependencies.statusWriter(), settings.lastSeenInterval());
    envelopes.restore(started.start().desired(), clock.instant());
    timers.startSingleTimer(IdleTimeout.INSTANCE, settings.idlePassivation());
    if (!admission.confirmed()) {
      timers.startSingleTimer(ReadAgain.INSTANCE, settings.startRetry());
    }
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(AgentReport.class, this::onAgentReport)
        .onMessage(AgentPoll.class, this::onAgentPoll)
        .onMessage(SessionEnded.class, this::onSessionEnded)
        .onMessage(TakeEnvelope.class, this::onTakeEnvelope)
        .onMessage(EnvelopeDelivered.class, this::onEnvelopeDelivered)
        .onMessage(CredentialReset.class, reset -> onCredentialReset())
        .onMessage(CertificateRequests.Loaded.class, certificates::loaded)
        .onMessage(AgentProtocol.CertificateRevoked.class, certificates::revoked)
        .onMessage(Remove.class, this::onRemove)
        .onMessage(ReadAgainDone.class, this::onReadAgainDone)
        .onMessageEquals(ReadAgain.INSTANCE, this::onReadAgain)
        .onMessageEquals(IdleTimeout.INSTANCE, this::onIdleTimeout)
        .onMessageEquals(HeartbeatWindowElapsed.INSTANCE, this::onHeartbeatWindowElapsed)
        .onSignal(PostStop.class, signal -> onStop())
        .build();
  }

  private Behavior<Command> onAgentReport(AgentReport report) {
    Session from = report.session();
    if (removed || superseded.contains(from.ref())) {
      from.ref().tell(new CloseSession("a newer session of this agent took over"));
      return this;
    }
    boolean newSession = owner == null || !from.ref().equals(owner.socket());
    if (newSession) {
      SessionAdmission.Admission admitted = admission.admit(from.principal(), from.node());
      if (admitted != SessionAdmission.Admission.ADMITTED) {
        from.ref().tell(replies.refuse(admitted, admission.retryAfterNewAgents()));
        return stopIfUnknown();
      }
      takeOver(SessionOwner.of(from));
    }
    handle(report.message(), reply -> from.ref().tell(new Deliver(reply)));
    return this;
  }

  private Behavior<Command> onAgentPoll(AgentPoll poll) {
    if (removed) {
      poll.replyTo().tell(EntityStart.comeBackLater(Duration.ofSeconds(1)));
      return this;
    }
    if (owner == null || owner.isWebSocket()) {
      SessionAdmission.Admission admitted = admission.admit(poll.principal(), poll.node());
      if (admitted != SessionAdmission.Admission.ADMITTED) {
        poll.replyTo().tell(replies.refusePoll(admitted, admission.retryAfterNewAgents()));
        return stopIfUnknown();
      }
      long epoch =
          Math.max(owner == null ? 0 : owner.epoch() + 1, AgentState.micros(clock.instant()));
      takeOver(SessionOwner.polling(epoch, poll.node()));
    } else if (!admission.sameCredential(poll.principal(), poll.node())) {
      poll.replyTo().tell(replies.refusePoll(SessionAdmission.Admission.CONFLICT, Duration.ZERO));
      return this;
    } else if (!owner.node().equals(poll.node())) {
      owner = owner.pollingThrough(poll.node());
    }
    if (!admission.pollAllowed()) {
      poll.replyTo().tell(EntityStart.comeBackLater(admission.untilNextPoll()));
      return this;
    }
    handle(poll.message(), reply -> poll.replyTo().tell(new PollAnswer(200, reply)));
    return this;
  }

  /** A new agent turned away keeps nothing: no entity, no row. */
  private Behavior<Command> stopIfUnknown() {
    if (!admission.known() && owner == null) {
      shard.tell(new ClusterSharding.Passivate<>(getContext().getSelf()));
    }
    return this;
  }

  private void takeOver(SessionOwner newer) {
    if (owner != null) {
      if (owner.isWebSocket()) {
        superseded.add(owner.socket());
      }
      owner.close("a newer session of this agent took over");
      owner.countAsActive(false);
      envelopes.sessionLost();
    }
    owner = newer;
    outbox.newSession();
    replies.newSession();
    owner.countAsActive(true);
    timers.cancel(IdleTimeout.INSTANCE);
  }

  /** Merges the message, answers it, and records the agent's new status. */
  private void handle(AgentToServer message, Consumer<ServerToAgent> answer) {
    Instant now = clock.instant();
    AgentMessageCounts.count(
        message,
        state.lastSeen(),
        now,
        state.hasCapability(AgentCapabilities.AgentCapabilities_ReportsHeartbeat_VALUE),
        settings.heartbeatInterval(),
        settings.heartbeatWindow());
    AgentState.Merged merged = state.apply(message, now);
    envelopes.confirm(message);
    answer.accept(certificates.answer(message, replies.reply(message, merged, owner, now), now));
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

  private Behavior<Command> onTakeEnvelope(TakeEnvelope take) {
    EnvelopeReceipt receipt = envelopes.take(take, clock.instant());
    // No receipt yet for a command on its way down a session: the session's confirmation answers.
    if (receipt != null) {
      take.replyTo().tell(receipt);
    }
    return this;
  }

  private Behavior<Command> onEnvelopeDelivered(EnvelopeDelivered delivered) {
    envelopes.delivered(delivered);
    return this;
  }

  private Behavior<Command> onCredentialReset() {
    getContext()
        .getLog()
        .info("Agent {}'s credential binding was reset; its next session binds it", instanceUid);
    admission.resetCredential();
    return this;
  }

  private Behavior<Command> onRemove(Remove remove) {
    removed = true;
    if (owner != null) {
      owner.close("removed by an operator");
      owner.countAsActive(false);
      owner = null;
    }
    shard.tell(new ClusterSharding.Passivate<>(getContext().getSelf()));
    remove.replyTo().tell(Done.getInstance());
    return this;
  }

  private Behavior<Command> onReadAgain() {
    getContext().pipeToSelf(dependencies.starts().read(instanceUid), ReadAgainDone::new);
    return this;
  }

  /**
   * The stored state could be read at last: the stored binding wins, the desired config comes back.
   */
  private Behavior<Command> onReadAgainDone(ReadAgainDone read) {
    if (read.failure() != null) {
      timers.startSingleTimer(ReadAgain.INSTANCE, settings.startRetry());
      return this;
    }
    if (admission.confirm(read.start().principal()) && owner != null) {
      SwitchboardMetrics.identityConflicts().increment();
      owner.close("this agent's identity belongs to another credential");
      endSession("its credential is not the one the agent's identity is bound to");
    }
    envelopes.restore(read.start().desired(), clock.instant());
    return this;
  }

  /**
   * Silence for a whole heartbeat window ends the session of an agent that promised heartbeats
   * (ReportsHeartbeat) or that polls over HTTP, even if its socket looks open. WebSocket agents
   * that promised none (the OpenTelemetry Java client, for one) keep their session until the socket
   * closes.
   */
  private void renewHeartbeatWindow() {
    if (!owner.isWebSocket()
        || state.hasCapability(AgentCapabilities.AgentCapabilities_ReportsHeartbeat_VALUE)) {
      timers.startSingleTimer(
          HeartbeatWindowElapsed.INSTANCE, settings.heartbeatWindow(outbox.heartbeatInterval()));
    } else {
      timers.cancel(HeartbeatWindowElapsed.INSTANCE);
    }
  }

  private Behavior<Command> onHeartbeatWindowElapsed() {
    if (owner != null) {
      owner.close(
          "no message within the heartbeat window of "
              + settings.heartbeatWindow(outbox.heartbeatInterval()));
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
    getContext()
        .getLog()
        .debug("Session {} of agent {} ended: {}", owner.epoch(), instanceUid, reason);
    envelopes.sessionLost();
    recordStatus(ConnectionState.DISCONNECTED, clock.instant());
    owner.countAsActive(false);
    owner = null;
    timers.cancel(HeartbeatWindowElapsed.INSTANCE);
    timers.startSingleTimer(IdleTimeout.INSTANCE, settings.idlePassivation());
  }

  private void recordStatus(ConnectionState connectionState, Instant now) {
    if (!removed) {
      status.record(state, connectionState, owner, admission.principal(), now);
    }
  }

  /** A message on the server's initiative, down the current WebSocket, wherever its node is. */
  private void push(ServerToAgent.Builder message) {
    SwitchboardMetrics.deliveries(owner.route()).increment();
    message.setInstanceUid(uidBytes).setCapabilities(SERVER_CAPABILITIES);
    owner.socket().tell(new Deliver(message.build(), Tracing.currentTraceparent()));
  }
}
