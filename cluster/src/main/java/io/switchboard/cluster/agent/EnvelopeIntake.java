package io.switchboard.cluster.agent;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.switchboard.cluster.agent.AgentProtocol.DeliverEnvelope;
import io.switchboard.cluster.agent.AgentProtocol.EnvelopeDelivered;
import io.switchboard.cluster.agent.AgentProtocol.EnvelopeReceipt;
import io.switchboard.cluster.agent.AgentProtocol.TakeEnvelope;
import io.switchboard.observability.SwitchboardMetrics;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.opamp.proto.AgentRemoteConfig;
import io.switchboard.opamp.proto.AgentToServer;
import io.switchboard.opamp.proto.ConnectionSettingsOffers;
import io.switchboard.opamp.proto.RemoteConfigStatuses;
import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.persistence.envelopes.EnvelopeKind;
import io.switchboard.persistence.envelopes.EnvelopeState;
import io.switchboard.persistence.envelopes.LatestEnvelope;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.slf4j.Logger;

/**
 * How an agent's entity takes operators' commands: each comes in an envelope (already stored), is
 * refused when the agent cannot take it, goes down the agent's WebSocket now or waits for its next
 * poll or session, and every step is recorded in the envelope ledger. It also takes back, when the
 * entity starts afresh, what operators had set for the agent.
 */
final class EnvelopeIntake {

  /**
   * What the intake needs of its entity: its current session (null when it has none), the agent's
   * reported state, the entity itself (sessions confirm deliveries to it), where answers go that no
   * one waits for, how to push a message down the current WebSocket, what to do when the agent's
   * heartbeat interval changes, and the entity's log.
   */
  record Entity(
      Supplier<SessionOwner> owner,
      AgentState state,
      ActorRef<AgentProtocol.Command> self,
      ActorRef<EnvelopeReceipt> nobody,
      Consumer<ServerToAgent.Builder> push,
      Runnable heartbeatIntervalChanged,
      Logger log) {}

  /** How many recent envelope ids an entity remembers to recognise redeliveries. */
  private static final int RECENT_ENVELOPES = 64;

  /**
   * What an entity last recorded of an envelope: PENDING (nothing yet), SENT from {@code node}, or
   * how it ended and why.
   */
  private record LedgerEntry(EnvelopeState state, String detail, String node) {
    static final LedgerEntry TAKEN =
        new LedgerEntry(EnvelopeState.PENDING, "the agent's entity holds it already", null);
  }

  private final Entity entity;
  private final String instanceUid;
  private final ByteString uidBytes;
  private final AgentOutbox outbox;
  private final EnvelopeLedger ledger;
  private final EnvelopeTraces traces;
  private final AgentOutbox.Tracking tracking = new Tracking();

  /**
   * Envelopes this entity was handed, with what it last recorded of each, so that a redelivered one
   * is not taken twice and what became of it is recorded again (the first record may never have
   * reached the database). Made on the first envelope: most agents never get one.
   */
  private Map<UUID, LedgerEntry> recentEnvelopes;

  EnvelopeIntake(
      Entity entity, String instanceUid, AgentOutbox outbox, AgentDependencies dependencies) {
    this.entity = entity;
    this.instanceUid = instanceUid;
    this.uidBytes = InstanceUid.toBytes(instanceUid);
    this.outbox = outbox;
    this.ledger = dependencies.ledger();
    this.traces = new EnvelopeTraces(dependencies.tracing(), instanceUid, RECENT_ENVELOPES);
  }

  /** Where the outbox records what becomes of envelopes. */
  AgentOutbox.Tracking tracking() {
    return tracking;
  }

  /**
   * Takes an envelope; the receipt says where it stands, or is null for a command on its way down a
   * session (the session's confirmation answers it).
   */
  EnvelopeReceipt take(TakeEnvelope take, Instant now) {
    return traces.take(take, () -> takeUntraced(take, now));
  }

  private EnvelopeReceipt takeUntraced(TakeEnvelope take, Instant now) {
    if (!firstSight(take.envelope())) {
      return recordAgain(take.envelope());
    }
    if (!now.isBefore(take.deadline())) {
      return close(
          take.envelope(),
          EnvelopeState.EXPIRED,
          "the deadline passed before it reached the agent");
    }
    String refusal = Refusals.of(take.message(), entity.state());
    if (refusal != null) {
      return close(take.envelope(), EnvelopeState.FAILED, refusal);
    }
    if (take.message().hasRemoteConfig()) {
      return offerRemoteConfig(take, now);
    }
    if (take.message().hasConnectionSettings()) {
      return offerConnectionSettings(take);
    }
    if (take.message().hasPackagesAvailable()) {
      return offerPackages(take, now);
    }
    return sendOrHold(
        new AgentOutbox.Waiting(take.envelope(), take.message(), take.deadline(), take.replyTo()));
  }

  /**
   * Takes back what operators had set for the agent, unless newer commands reached it meanwhile.
   */
  void restore(Map<EnvelopeKind, LatestEnvelope> stored, Instant now) {
    LatestEnvelope config = stored.get(EnvelopeKind.REMOTE_CONFIG);
    if (config != null && firstSight(config.envelope())) {
      parsed(config)
          .ifPresent(message -> restoreDesiredConfig(config, message.getRemoteConfig(), now));
    }
    LatestEnvelope packages = stored.get(EnvelopeKind.PACKAGES);
    if (packages != null && firstSight(packages.envelope())) {
      parsed(packages).ifPresent(message -> restorePackages(packages, message, now));
    }
    LatestEnvelope settings = stored.get(EnvelopeKind.CONNECTION_SETTINGS);
    if (settings != null && firstSight(settings.envelope())) {
      parsed(settings)
          .ifPresent(
              message ->
                  outbox.preferConnectionSettings(
                      settings.state() == EnvelopeState.PENDING ? settings.envelope() : null,
                      message.getConnectionSettings(),
                      tracking));
    }
  }

  /** Closes the envelopes of the desired config and packages the agent reports on. */
  void confirm(AgentToServer message) {
    if (message.hasRemoteConfigStatus()) {
      outbox.confirm(message.getRemoteConfigStatus(), tracking);
    }
    if (message.hasPackageStatuses()) {
      outbox.packages().confirm(message.getPackageStatuses(), tracking);
    }
  }

  /** Sends the commands that waited for a WebSocket session down the current one. */
  void sendWaiting(Instant now) {
    outbox.takeWaiting(entity.state(), now, tracking).forEach(this::pushWaiting);
  }

  /** A session confirmed it put a command on its socket: the command counts as sent. */
  void delivered(EnvelopeDelivered delivered) {
    outbox
        .delivered(delivered.envelope(), delivered.epoch())
        .ifPresent(
            sent -> {
              ledger.sent(sent.message().envelope(), sent.node());
              sent.message().replyTo().tell(new EnvelopeReceipt(EnvelopeState.SENT, "sent"));
            });
  }

  /** What the ending session never confirmed goes to the agent's next session instead. */
  void sessionLost() {
    for (AgentOutbox.Waiting unconfirmed : outbox.sessionLost(entity.nobody())) {
      unconfirmed
          .replyTo()
          .tell(
              new EnvelopeReceipt(
                  EnvelopeState.PENDING,
                  "the session ended before it went out; kept for the next one"));
    }
  }

  private void restoreDesiredConfig(LatestEnvelope stored, AgentRemoteConfig config, Instant now) {
    if (outbox.hasDesiredConfig()) {
      // An operator's newer config reached this entity before the database answered.
      if (stored.state().isOpen()) {
        tracking.closed(
            stored.envelope(), EnvelopeState.FAILED, "superseded by a newer remote config");
      }
      return;
    }
    if (stored.state() == EnvelopeState.APPLIED) {
      outbox.recallApplied(config);
    } else {
      outbox.desire(stored.envelope(), config, stored.deadline(), tracking);
    }
    SessionOwner owner = entity.owner().get();
    if (owner != null && owner.isWebSocket() && outbox.desiredConfigDue(entity.state(), now)) {
      entity
          .push()
          .accept(ServerToAgent.newBuilder().setRemoteConfig(outbox.takeDesiredConfig(tracking)));
    }
  }

  private void restorePackages(LatestEnvelope stored, ServerToAgent message, Instant now) {
    PackageOffer packages = outbox.packages();
    if (packages.hasDesired()) {
      if (stored.state().isOpen()) {
        tracking.closed(stored.envelope(), EnvelopeState.FAILED, "superseded by newer packages");
      }
      return;
    }
    if (stored.state() == EnvelopeState.APPLIED) {
      packages.recallApplied(message.getPackagesAvailable());
    } else {
      packages.desire(
          stored.envelope(), message.getPackagesAvailable(), stored.deadline(), tracking);
    }
    SessionOwner owner = entity.owner().get();
    if (owner != null && owner.isWebSocket() && packages.due(entity.state(), now)) {
      entity
          .push()
          .accept(ServerToAgent.newBuilder().setPackagesAvailable(packages.take(tracking)));
    }
  }

  /**
   * Packages for the agent, offered as a config is: now down a WebSocket, with the answer to its
   * next poll, or on its next session; the envelope closes when the agent reports them installed or
   * failed.
   */
  private EnvelopeReceipt offerPackages(TakeEnvelope take, Instant now) {
    PackageOffer packages = outbox.packages();
    packages.desire(
        take.envelope(), take.message().getPackagesAvailable(), take.deadline(), tracking);
    packages.confirm(entity.state().reportedPackageStatuses(), tracking);
    if (!packages.awaitsConfirmation()) {
      LedgerEntry known = recentEnvelopes().get(take.envelope());
      return new EnvelopeReceipt(known.state(), "the agent already reported on these packages");
    }
    SessionOwner owner = entity.owner().get();
    if (owner == null || entity.state().capabilities() == 0) {
      noSession();
      return new EnvelopeReceipt(EnvelopeState.PENDING, "offered when the agent next reports");
    }
    if (!owner.isWebSocket()) {
      return new EnvelopeReceipt(
          EnvelopeState.PENDING, "offered in the answer to the agent's next poll");
    }
    if (!packages.due(entity.state(), now)) {
      return new EnvelopeReceipt(EnvelopeState.PENDING, "offered on the agent's next session");
    }
    entity.push().accept(ServerToAgent.newBuilder().setPackagesAvailable(packages.take(tracking)));
    return new EnvelopeReceipt(EnvelopeState.SENT, "sent");
  }

  private Optional<ServerToAgent> parsed(LatestEnvelope stored) {
    try {
      return Optional.of(ServerToAgent.parseFrom(stored.message()));
    } catch (InvalidProtocolBufferException e) {
      entity.log().error("Envelope {} holds an unreadable message; ignored", stored.envelope(), e);
      return Optional.empty();
    }
  }

  /** False for an envelope this entity was handed before (a redelivery). */
  private boolean firstSight(UUID envelope) {
    return recentEnvelopes().putIfAbsent(envelope, LedgerEntry.TAKEN) == null;
  }

  private Map<UUID, LedgerEntry> recentEnvelopes() {
    if (recentEnvelopes == null) {
      recentEnvelopes =
          new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<UUID, LedgerEntry> eldest) {
              return size() > RECENT_ENVELOPES;
            }
          };
    }
    return recentEnvelopes;
  }

  /**
   * A redelivered envelope: the sweep found it open in the database. If this entity sent or closed
   * it, that record was lost (the database refused it past every retry), so it is written again;
   * both writes only ever move an envelope forward.
   */
  private EnvelopeReceipt recordAgain(UUID envelope) {
    LedgerEntry known = recentEnvelopes.get(envelope);
    if (known.state() == EnvelopeState.SENT) {
      ledger.sent(envelope, known.node());
      return new EnvelopeReceipt(
          EnvelopeState.SENT, "sent from " + known.node() + "; recorded again");
    }
    if (!known.state().isOpen()) {
      ledger.closed(envelope, known.state(), known.detail());
    }
    return new EnvelopeReceipt(known.state(), known.detail());
  }

  /**
   * Connection settings for this agent alone: offered now down a WebSocket, else with the answer to
   * its next message, and on every session after.
   */
  private EnvelopeReceipt offerConnectionSettings(TakeEnvelope take) {
    outbox.preferConnectionSettings(
        take.envelope(), take.message().getConnectionSettings(), tracking);
    SessionOwner owner = entity.owner().get();
    if (owner == null || entity.state().capabilities() == 0) {
      noSession();
      return new EnvelopeReceipt(EnvelopeState.PENDING, "offered when the agent next reports");
    }
    if (!owner.isWebSocket()) {
      return new EnvelopeReceipt(
          EnvelopeState.PENDING, "offered in the answer to the agent's next poll");
    }
    ConnectionSettingsOffers offer = outbox.takeConnectionSettings(entity.state(), tracking);
    if (offer == null) {
      return new EnvelopeReceipt(
          EnvelopeState.FAILED, "the agent's capabilities take none of these connection settings");
    }
    entity.push().accept(ServerToAgent.newBuilder().setConnectionSettings(offer));
    entity.heartbeatIntervalChanged().run();
    return new EnvelopeReceipt(EnvelopeState.SENT, "sent");
  }

  private EnvelopeReceipt offerRemoteConfig(TakeEnvelope take, Instant now) {
    AgentState state = entity.state();
    outbox.desire(take.envelope(), take.message().getRemoteConfig(), take.deadline(), tracking);
    outbox.confirm(state.reportedRemoteConfigStatus(), tracking);
    if (!outbox.awaitsConfirmation()) {
      return new EnvelopeReceipt(
          state.reportedRemoteConfigStatus().getStatus()
                  == RemoteConfigStatuses.RemoteConfigStatuses_APPLIED
              ? EnvelopeState.APPLIED
              : EnvelopeState.FAILED,
          "the agent already reported on this configuration");
    }
    SessionOwner owner = entity.owner().get();
    if (owner == null || state.capabilities() == 0) {
      noSession();
      return new EnvelopeReceipt(EnvelopeState.PENDING, "sent when the agent next reports");
    }
    if (!owner.isWebSocket()) {
      return new EnvelopeReceipt(EnvelopeState.PENDING, "queued for the agent's next poll");
    }
    if (!outbox.desiredConfigDue(state, now)) {
      return new EnvelopeReceipt(EnvelopeState.PENDING, "sent on the agent's next session");
    }
    entity
        .push()
        .accept(ServerToAgent.newBuilder().setRemoteConfig(outbox.takeDesiredConfig(tracking)));
    return new EnvelopeReceipt(EnvelopeState.SENT, "sent");
  }

  /**
   * Commands and custom messages go down a WebSocket session now; otherwise they wait for the next
   * poll, or for the agent to come back, until their deadline.
   */
  private EnvelopeReceipt sendOrHold(AgentOutbox.Waiting message) {
    SessionOwner owner = entity.owner().get();
    if (owner != null && owner.isWebSocket() && entity.state().capabilities() != 0) {
      pushWaiting(message);
      return null;
    }
    // Answered below already: whoever asked is not told again when it goes out.
    AgentOutbox.Waiting held =
        new AgentOutbox.Waiting(
            message.envelope(), message.message(), message.deadline(), entity.nobody());
    if (!outbox.hold(held)) {
      return close(
          message.envelope(),
          EnvelopeState.FAILED,
          AgentOutbox.MAX_WAITING + " messages are already waiting for this agent");
    }
    if (owner == null) {
      noSession();
      return new EnvelopeReceipt(
          EnvelopeState.PENDING, "kept until the agent reconnects or the deadline passes");
    }
    return new EnvelopeReceipt(EnvelopeState.PENDING, "queued for the agent's next poll");
  }

  private EnvelopeReceipt close(UUID envelope, EnvelopeState outcome, String detail) {
    tracking.closed(envelope, outcome, detail);
    return new EnvelopeReceipt(outcome, detail);
  }

  private static void noSession() {
    SwitchboardMetrics.dispatchNoSession().increment();
  }

  /** Hands a command to the WebSocket session; it counts as sent once the session confirms it. */
  private void pushWaiting(AgentOutbox.Waiting message) {
    SessionOwner owner = entity.owner().get();
    SwitchboardMetrics.deliveries(owner.route()).increment();
    ServerToAgent command =
        message.message().toBuilder()
            .setInstanceUid(uidBytes)
            .setCapabilities(AgentEntity.SERVER_CAPABILITIES)
            .build();
    owner
        .socket()
        .tell(
            new DeliverEnvelope(
                command,
                message.envelope(),
                owner.epoch(),
                entity.self(),
                traces.of(message.envelope())));
    outbox.inFlight(message, owner.epoch(), owner.node());
  }

  /** Records envelope changes in the ledger, naming the node that holds the agent's session. */
  private final class Tracking implements AgentOutbox.Tracking {
    @Override
    public void sent(UUID envelope) {
      String node = entity.owner().get().node();
      recentEnvelopes().put(envelope, new LedgerEntry(EnvelopeState.SENT, null, node));
      ledger.sent(envelope, node);
    }

    @Override
    public void closed(UUID envelope, EnvelopeState outcome, String detail) {
      entity
          .log()
          .debug("Envelope {} for agent {} ended {}: {}", envelope, instanceUid, outcome, detail);
      recentEnvelopes().put(envelope, new LedgerEntry(outcome, detail, null));
      ledger.closed(envelope, outcome, detail);
      traces.closed(envelope, outcome, detail);
    }
  }
}
