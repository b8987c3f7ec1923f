package io.switchboard.cluster.agent;

import com.google.protobuf.ByteString;
import io.switchboard.opamp.ConnectionSecrets;
import io.switchboard.opamp.ConnectionSettings;
import io.switchboard.opamp.json.Storable;
import io.switchboard.opamp.proto.AgentCapabilities;
import io.switchboard.opamp.proto.AgentRemoteConfig;
import io.switchboard.opamp.proto.ConnectionSettingsOffers;
import io.switchboard.opamp.proto.RemoteConfigStatus;
import io.switchboard.opamp.proto.RemoteConfigStatuses;
import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.opamp.proto.TLSCertificate;
import io.switchboard.persistence.envelopes.EnvelopeState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What the server has for one agent beyond the answer to its message: the connection settings offer
 * and the desired remote config (each sent once per session, and only to an agent whose
 * capabilities allow it), and the commands and custom messages waiting for a session to take them.
 * Each of those came in an envelope; the outbox tells {@link Tracking} when one is sent or ends.
 */
final class AgentOutbox {

  /** Commands and custom messages kept for one agent; beyond this, operators are told to wait. */
  static final int MAX_WAITING = 16;

  /** Characters of an agent's error message kept in an envelope's detail. */
  private static final int MAX_ERROR_DETAIL = 1000;

  /** What happens to envelopes as the outbox hands them out. */
  interface Tracking {
    void sent(UUID envelope);

    void closed(UUID envelope, EnvelopeState outcome, String detail);
  }

  /**
   * A command or custom message and the envelope that carried it; {@code replyTo} (possibly nobody)
   * hears how the operator's command ended up once it is sent.
   */
  record Waiting(
      UUID envelope,
      ServerToAgent message,
      Instant deadline,
      ActorRef<AgentProtocol.EnvelopeReceipt> replyTo) {}

  /** A message handed to a WebSocket session that has not yet confirmed it reached the socket. */
  record InFlight(Waiting message, long epoch, String node) {}

  /** The remote config operators want; {@code envelope} is null once the agent has answered it. */
  private record DesiredConfig(UUID envelope, AgentRemoteConfig config, Instant deadline) {}

  /** What every agent is offered, and what opens the sealed secrets of operators' settings. */
  private final ConnectionSettingsOffers fleetSettings;

  private final ConnectionSecrets secrets;

  /** An operator's connection settings for this agent alone (secrets sealed); empty when none. */
  private ConnectionSettingsOffers agentSettings = ConnectionSettingsOffers.getDefaultInstance();

  /** The client certificate the server's CA issued the agent; null when none. */
  private TLSCertificate certificate;

  /** The offer last built, for agents with {@link #offerCapabilities} (-1: none built). */
  private ConnectionSettingsOffers offer;

  private long offerCapabilities = -1;

  /** The hash of the connection settings offered in this session; null before the first offer. */
  private ByteString offeredSettingsHash;

  /** The envelope that set the connection settings on offer, until they are offered; else null. */
  private UUID connectionSettingsEnvelope;

  private final Deque<Waiting> waiting = new ArrayDeque<>();
  private final List<InFlight> inFlight = new ArrayList<>(0);
  private DesiredConfig desired;
  private boolean desiredConfigOffered;
  private final PackageOffer packages = new PackageOffer();

  AgentOutbox(ConnectionSettingsOffers fleetSettings, ConnectionSecrets secrets) {
    this.fleetSettings = fleetSettings;
    this.secrets = secrets;
  }

  /** A new session starts: the offers go out again on it. Waiting messages stay for it. */
  void newSession() {
    offeredSettingsHash = null;
    desiredConfigOffered = false;
    packages.newSession();
  }

  /** The packages operators want the agent to have. */
  PackageOffer packages() {
    return packages;
  }

  /** The agent's error message as an envelope's detail: storable, and at most a screenful. */
  private static String errorDetail(RemoteConfigStatus status) {
    String message = Storable.text(status.getErrorMessage());
    return message.length() <= MAX_ERROR_DETAIL
        ? message
        : message.substring(0, MAX_ERROR_DETAIL) + "...";
  }

  /** Nothing waits to go out and no remote config waits for the agent's answer. */
  boolean isIdle() {
    return waiting.isEmpty()
        && inFlight.isEmpty()
        && connectionSettingsEnvelope == null
        && (desired == null || desired.envelope() == null)
        && packages.isIdle();
  }

  /** Remembers a message handed to the session of {@code epoch} until the session confirms it. */
  void inFlight(Waiting message, long epoch, String node) {
    inFlight.add(new InFlight(message, epoch, node));
  }

  /** The session confirmed the message reached its socket; returns it, if it was in flight. */
  Optional<InFlight> delivered(UUID envelope, long epoch) {
    for (Iterator<InFlight> next = inFlight.iterator(); next.hasNext(); ) {
      InFlight message = next.next();
      if (message.message().envelope().equals(envelope) && message.epoch() == epoch) {
        next.remove();
        return Optional.of(message);
      }
    }
    return Optional.empty();
  }

  /**
   * The session ended (or its node died) before confirming what it was handed: those messages wait
   * again, ahead of the rest, for the agent's next session (the agent may see one twice). Returns
   * them as they were, so that operators still waiting for an answer get one.
   */
  List<Waiting> sessionLost(ActorRef<AgentProtocol.EnvelopeReceipt> nobody) {
    List<Waiting> unconfirmed = inFlight.stream().map(InFlight::message).toList();
    for (int i = unconfirmed.size() - 1; i >= 0; i--) {
      Waiting message = unconfirmed.get(i);
      waiting.addFirst(
          new Waiting(message.envelope(), message.message(), message.deadline(), nobody));
    }
    inFlight.clear();
    return unconfirmed;
  }

  /**
   * Sets what operators want the agent to run; it goes out with the next reply or push. An earlier
   * desired config still waiting for the agent's answer is superseded: its envelope fails.
   */
  void desire(UUID envelope, AgentRemoteConfig config, Instant deadline, Tracking tracking) {
    if (desired != null && desired.envelope() != null && !desired.envelope().equals(envelope)) {
      tracking.closed(
          desired.envelope(), EnvelopeState.FAILED, "superseded by envelope " + envelope);
    }
    desired = new DesiredConfig(envelope, config, deadline);
    desiredConfigOffered = false;
  }

  /** Whether operators have set a desired config for this agent (in this incarnation). */
  boolean hasDesiredConfig() {
    return desired != null;
  }

  /**
   * Restores a desired config the agent has already applied, found in the database by a new
   * incarnation of the entity: offered again only if the agent reports another one.
   */
  void recallApplied(AgentRemoteConfig config) {
    desired = new DesiredConfig(null, config, Instant.MAX);
    desiredConfigOffered = false;
  }

  /**
   * Closes the desired config's envelope when the agent reports on that config: APPLIED or FAILED
   * (APPLYING and other configs' statuses leave it open).
   */
  void confirm(RemoteConfigStatus status, Tracking tracking) {
    if (desired == null
        || desired.envelope() == null
        || status == null
        || !status.getLastRemoteConfigHash().equals(desired.config().getConfigHash())) {
      return;
    }
    if (status.getStatus() == RemoteConfigStatuses.RemoteConfigStatuses_APPLIED) {
      tracking.closed(desired.envelope(), EnvelopeState.APPLIED, null);
    } else if (status.getStatus() == RemoteConfigStatuses.RemoteConfigStatuses_FAILED) {
      tracking.closed(
          desired.envelope(),
          EnvelopeState.FAILED,
          "the agent failed to apply it: " + errorDetail(status));
    } else {
      return;
    }
    desired = new DesiredConfig(null, desired.config(), desired.deadline());
  }

  /** Whether the desired config's envelope is still open (the agent has not answered it). */
  boolean awaitsConfirmation() {
    return desired != null && desired.envelope() != null;
  }

  /**
   * The desired config is due once per session to an agent that can take it and runs another; while
   * its envelope is open, only before the envelope's deadline.
   */
  boolean desiredConfigDue(AgentState state, Instant now) {
    return desired != null
        && !desiredConfigOffered
        && (desired.envelope() == null || now.isBefore(desired.deadline()))
        && state.hasCapability(AgentCapabilities.AgentCapabilities_AcceptsRemoteConfig_VALUE)
        && !desired.config().getConfigHash().equals(state.reportedRemoteConfigHash());
  }

  /** Takes the desired config to send it; its envelope, if still open, is sent. */
  AgentRemoteConfig takeDesiredConfig(Tracking tracking) {
    desiredConfigOffered = true;
    if (desired.envelope() != null) {
      tracking.sent(desired.envelope());
    }
    return desired.config();
  }

  /**
   * Sets connection settings operators chose for this agent (overlaying the fleet's): offered on
   * the agent's next answer, and on every session after. An earlier choice not yet offered is
   * superseded. {@code envelope} is null for settings already sent in an earlier incarnation.
   */
  void preferConnectionSettings(UUID envelope, ConnectionSettingsOffers offer, Tracking tracking) {
    if (connectionSettingsEnvelope != null && !connectionSettingsEnvelope.equals(envelope)) {
      tracking.closed(
          connectionSettingsEnvelope, EnvelopeState.FAILED, "superseded by envelope " + envelope);
    }
    agentSettings = offer;
    connectionSettingsEnvelope = envelope;
    offerCapabilities = -1;
  }

  /**
   * The connection settings this agent is offered now (the fleet's overlaid with its own, cut to
   * its capabilities, hashed), or null when it can take none of them.
   */
  ConnectionSettingsOffers connectionSettings(AgentState state) {
    if (offerCapabilities != state.capabilities()) {
      offerCapabilities = state.capabilities();
      try {
        offer = ConnectionSettings.forAgent(effectiveSettings(), state.capabilities(), secrets);
      } catch (IllegalArgumentException unopenable) {
        // Sealed under another key: nothing is offered rather than a wrong secret.
        offer = null;
      }
    }
    return offer;
  }

  /**
   * Whether connection settings are due: an operator's wait to go out, or what the agent would be
   * offered is not what was offered in this session (the first offer of a session, or a change).
   */
  boolean connectionSettingsDue(ConnectionSettingsOffers offer) {
    return offer != null
        && (connectionSettingsEnvelope != null || !offer.getHash().equals(offeredSettingsHash));
  }

  /**
   * Takes the connection settings to offer them now, or null when the agent can take none of them;
   * the envelope that set them, if any, is sent (or fails, when none of it can go).
   */
  ConnectionSettingsOffers takeConnectionSettings(AgentState state, Tracking tracking) {
    ConnectionSettingsOffers offer = connectionSettings(state);
    if (connectionSettingsEnvelope != null) {
      if (offer == null) {
        tracking.closed(
            connectionSettingsEnvelope,
            EnvelopeState.FAILED,
            "the agent's capabilities take none of these connection settings");
      } else {
        tracking.sent(connectionSettingsEnvelope);
      }
      connectionSettingsEnvelope = null;
    }
    if (offer != null) {
      offeredSettingsHash = offer.getHash();
    }
    return offer;
  }

  /** The heartbeat interval this agent is offered. */
  Duration heartbeatInterval() {
    return Duration.ofSeconds(effectiveSettings().getOpamp().getHeartbeatIntervalSeconds());
  }

  /** The fleet's settings, overlaid with the agent's own and its certificate. */
  private ConnectionSettingsOffers effectiveSettings() {
    ConnectionSettingsOffers settings = ConnectionSettings.overlay(fleetSettings, agentSettings);
    if (certificate == null) {
      return settings;
    }
    return settings.toBuilder()
        .setOpamp(settings.getOpamp().toBuilder().setCertificate(certificate))
        .build();
  }

  /**
   * The agent's certificate changed (issued, read at start, or gone after a revocation): offers
   * carry it from now on.
   */
  void offerCertificate(TLSCertificate issued) {
    certificate = issued;
    offerCapabilities = -1;
  }

  /** Keeps a command or custom message until a session takes it; false when too many wait. */
  boolean hold(Waiting message) {
    if (waiting.size() >= MAX_WAITING) {
      return false;
    }
    waiting.add(message);
    return true;
  }

  /**
   * Adds to a reply what is due and what the agent can take: the connection settings offer, the
   * desired config, and, for a polling agent, the oldest waiting command and custom message (one
   * ServerToAgent carries at most one of each).
   */
  void addTo(
      ServerToAgent.Builder reply,
      AgentState state,
      boolean polling,
      Instant now,
      Tracking tracking) {
    if (state.capabilities() != 0 && connectionSettingsDue(connectionSettings(state))) {
      ConnectionSettingsOffers offer = takeConnectionSettings(state, tracking);
      if (offer != null) {
        reply.setConnectionSettings(offer);
      }
    }
    if (desiredConfigDue(state, now)) {
      reply.setRemoteConfig(takeDesiredConfig(tracking));
    }
    if (packages.due(state, now)) {
      reply.setPackagesAvailable(packages.take(tracking));
    }
    if (polling) {
      List<Waiting> later = new ArrayList<>();
      for (Waiting next : takeWaiting(state, now, tracking)) {
        if (next.message().hasCommand() && !reply.hasCommand()) {
          reply.setCommand(next.message().getCommand());
          tracking.sent(next.envelope());
        } else if (next.message().hasCustomMessage() && !reply.hasCustomMessage()) {
          reply.setCustomMessage(next.message().getCustomMessage());
          tracking.sent(next.envelope());
        } else {
          later.add(next);
        }
      }
      waiting.addAll(later);
    }
  }

  /**
   * Takes every waiting message the agent can take now, oldest first. Those past their deadline
   * expire, those the agent's capabilities refuse fail; neither is returned.
   */
  List<Waiting> takeWaiting(AgentState state, Instant now, Tracking tracking) {
    if (waiting.isEmpty()) {
      return List.of();
    }
    List<Waiting> taken = new ArrayList<>();
    for (Iterator<Waiting> next = waiting.iterator(); next.hasNext(); ) {
      Waiting message = next.next();
      next.remove();
      String refusal = Refusals.of(message.message(), state);
      if (!now.isBefore(message.deadline())) {
        tracking.closed(
            message.envelope(),
            EnvelopeState.EXPIRED,
            "the deadline passed before the agent was reachable");
      } else if (refusal != null) {
        tracking.closed(message.envelope(), EnvelopeState.FAILED, refusal);
      } else {
        taken.add(message);
      }
    }
    return taken;
  }

  /** Expires what passed its deadline while no session came to take it. */
  void expire(Instant now, Tracking tracking) {
    waiting.removeIf(
        message -> {
          boolean expired = !now.isBefore(message.deadline());
          if (expired) {
            tracking.closed(
                message.envelope(),
                EnvelopeState.EXPIRED,
                "the deadline passed before the agent was reachable");
          }
          return expired;
        });
    if (desired != null && desired.envelope() != null && !now.isBefore(desired.deadline())) {
      tracking.closed(
          desired.envelope(),
          EnvelopeState.EXPIRED,
          "the deadline passed before the agent confirmed it");
      desired = null;
    }
    packages.expire(now, tracking);
  }
}
