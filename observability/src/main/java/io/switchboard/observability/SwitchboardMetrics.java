package io.switchboard.observability;

import java.util.List;
import java.util.Locale;
import kamon.Kamon;
import kamon.metric.Counter;
import kamon.metric.Gauge;
import kamon.metric.Histogram;
import kamon.metric.MeasurementUnit;
import kamon.tag.TagSet;

/**
 * The metrics catalog. Every Switchboard metric is declared here, so that names stay consistent and
 * docs/metrics.md has one place to follow. Kamon's Prometheus reporter turns dots into underscores
 * and appends {@code _total} to counters: {@code switchboard.frames.received} is scraped as {@code
 * switchboard_frames_received_total}. The few series that must disappear are {@link
 * TransientGauge}s, named as scraped.
 */
public final class SwitchboardMetrics {

  private SwitchboardMetrics() {}

  /**
   * Registers every series whose labels are known in advance, at zero, so that a scrape shows them
   * from the start: {@code rate()} then sees the first increment, and an alert on a series that is
   * absent means something. Called once when a node starts.
   */
  public static void registerKnownSeries() {
    for (Transport transport : Transport.values()) {
      activeSessions(transport).update(0);
      connects(transport).increment(0);
      disconnects(transport).increment(0);
      framesReceived(transport).increment(0);
      for (String reason : List.of("max-sessions", "connection-rate", "poll-rate")) {
        connectionsShed(transport, reason).increment(0);
      }
    }
    for (String reason :
        List.of(
            "truncated-header",
            "non-zero-header",
            "invalid-protobuf",
            "oversized",
            "text-frame",
            "invalid-instance-uid",
            "instance-uid-changed",
            "rate-limited",
            "description-too-large",
            "effective-config-too-large",
            "health-too-large",
            "health-too-deep",
            "health-too-many-components",
            "custom-message-too-large",
            "too-many-custom-capabilities",
            "available-components-too-large",
            "available-components-too-many",
            "available-components-too-deep",
            "package-statuses-too-large",
            "too-many-package-statuses",
            "undeclared-custom-capability",
            "instance-uid-requested-again",
            "instance-uid-not-certified")) {
      framesRejected(Transport.WEBSOCKET, reason).increment(0);
    }
    for (String reason :
        List.of(
            "content-type",
            "unreadable-body",
            "oversized",
            "invalid-protobuf",
            "invalid-instance-uid",
            "instance-uid-mismatch",
            "poll-rate",
            "identity-conflict")) {
      framesRejected(Transport.HTTP, reason).increment(0);
    }
    newAgentsShed().increment(0);
    for (String route : List.of("local", "forwarded")) {
      deliveries(route).increment(0);
    }
    dispatchNoSession().increment(0);
    for (String state : List.of("PENDING", "SENT", "APPLIED", "FAILED", "EXPIRED")) {
      dispatchEnvelopes(state).increment(0);
    }
    for (String state : List.of("PAUSED", "COMPLETED")) {
      rolloutTransitions(state).increment(0);
    }
    for (String kind : List.of("status", "heartbeat", "disconnect", "custom-message")) {
      agentMessages(kind).increment(0);
    }
    for (String reason : List.of("unstorable-text", "too-large", "constraint", "invalid-data")) {
      statusRowsRejected(reason).increment(0);
      dispatchRowsRejected(reason).increment(0);
    }
    agentAuthFailures().increment(0);
    identityConflicts().increment(0);
    statusFlushFailures().increment(0);
    statusShed().increment(0);
    statusWritesSkipped().increment(0);
    envelopeChangesDropped().increment(0);
    entityMessagesDropped().increment(0);
    statusPendingAgents().update(0);
  }

  /** The transports an agent can hold a session on. */
  public enum Transport {
    WEBSOCKET,
    HTTP;

    String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * Sessions currently held, by transport: WebSocket sessions on the node holding the socket,
   * polling (HTTP) sessions on the node hosting the agent's entity.
   */
  public static Gauge activeSessions(Transport transport) {
    return Kamon.gauge("switchboard.active.sessions", "OpAMP sessions held by this node")
        .withTag("transport", transport.tag());
  }

  /** Session opened on this node. */
  public static Counter connects(Transport transport) {
    return Kamon.counter("switchboard.connects", "OpAMP sessions opened")
        .withTag("transport", transport.tag());
  }

  /** Session closed on this node. */
  public static Counter disconnects(Transport transport) {
    return Kamon.counter("switchboard.disconnects", "OpAMP sessions closed")
        .withTag("transport", transport.tag());
  }

  /** Frames received from agents that decoded into an AgentToServer. */
  public static Counter framesReceived(Transport transport) {
    return Kamon.counter("switchboard.frames.received", "OpAMP frames decoded from agents")
        .withTag("transport", transport.tag());
  }

  /** Frames refused, by reason (invalid-protobuf, oversized, non-zero-header, text-frame, ...). */
  public static Counter framesRejected(Transport transport, String reason) {
    return Kamon.counter("switchboard.frames.rejected", "OpAMP frames refused, by reason")
        .withTags(TagSet.of("transport", transport.tag()).withTag("reason", reason));
  }

  /** Agents turned away to protect the node (max-sessions, connection-rate, poll-rate). */
  public static Counter connectionsShed(Transport transport, String reason) {
    return Kamon.counter(
            "switchboard.connections.shed",
            "Agents turned away because the node is full or flooded")
        .withTags(TagSet.of("transport", transport.tag()).withTag("reason", reason));
  }

  /**
   * Messages the server sent an agent on its own initiative (config, commands), by route: {@code
   * local} when the agent's socket is on the node hosting its entity, {@code forwarded} when the
   * entity sent it across the cluster to the node holding the socket.
   */
  public static Counter deliveries(String route) {
    return Kamon.counter(
            "switchboard.dispatch.deliveries",
            "Server-initiated messages to agents, local or forwarded")
        .withTag("route", route);
  }

  /** Operator commands that found the agent without a session. */
  public static Counter dispatchNoSession() {
    return Kamon.counter("switchboard.dispatch.no.session", "Commands for agents without a session")
        .withoutTags();
  }

  /**
   * Envelopes entering a state (pending when written; sent, applied, failed, expired as they move
   * on), counted by the node that recorded the change.
   */
  public static Counter dispatchEnvelopes(String state) {
    return Kamon.counter("switchboard.dispatch.envelopes", "Envelopes entering a state")
        .withTag("state", state.toLowerCase(Locale.ROOT));
  }

  /** Rollouts the driver moved to a state on its own: paused (a gate tripped), completed. */
  public static Counter rolloutTransitions(String state) {
    return Kamon.counter(
            "switchboard.rollout.transitions", "Rollouts moved to a state by the rollout driver")
        .withTag("state", state.toLowerCase(Locale.ROOT));
  }

  /**
   * A running or paused rollout's targeted agents by where they stand (label {@code state}): {@code
   * not-dispatched}, {@code open} (sent, no outcome yet), {@code applied}, {@code failed}, {@code
   * expired}. Reported by the node running the rollout driver; a rollout's series go when it ends
   * (see {@link TransientGauge} for why these are not Kamon gauges).
   */
  public static TransientGauge rolloutAgents() {
    return TransientGauge.named(
        "switchboard_rollout_agents", "Targeted agents of an active rollout by state");
  }

  /** The batch a running or paused rollout is at, counted from 0 like the API's current_batch. */
  public static TransientGauge rolloutCurrentBatch() {
    return TransientGauge.named(
        "switchboard_rollout_current_batch", "Batch an active rollout is at, from 0");
  }

  /** How many batches a running or paused rollout has. */
  public static TransientGauge rolloutBatches() {
    return TransientGauge.named("switchboard_rollout_batches", "Batches of an active rollout");
  }

  /**
   * Seconds since the oldest assignment envelope that a matching, connected agent has not applied
   * yet was written (0: none waits). Reported only by the node running the fleet gauges singleton.
   */
  public static TransientGauge assignmentOldestUnapplied() {
    return TransientGauge.named(
        "switchboard_assignment_oldest_unapplied_seconds",
        "Age of the oldest assignment config a connected agent has not applied");
  }

  /** 1 while a rollout is paused, 0 while it runs. */
  public static TransientGauge rolloutPaused() {
    return TransientGauge.named(
        "switchboard_rollout_paused", "1 while an active rollout is paused, 0 while it runs");
  }

  /** Live updates sent to browsers by this node, by event (summary, agents). */
  public static Counter liveBusEvents(String event) {
    return Kamon.counter(
            "switchboard.live.bus.events", "Live update events sent to dashboard browsers")
        .withTag("event", event);
  }

  /**
   * Agent messages handled by the agents' entities on this node, by what they carried: status
   * (something changed), heartbeat (nothing did), disconnect, custom-message.
   */
  public static Counter agentMessages(String kind) {
    return Kamon.counter("switchboard.agent.messages", "Agent messages handled, by kind")
        .withTag("kind", kind);
  }

  /**
   * How much later than its heartbeat interval an agent that promised heartbeats was heard from
   * again (0 when on time).
   */
  public static Histogram heartbeatLateness() {
    return Kamon.histogram(
            "switchboard.heartbeat.lateness",
            "Delay of agent heartbeats beyond their interval",
            MeasurementUnit.time().nanoseconds())
        .withoutTags();
  }

  /** Agent entities and shards running on this node. */
  public static Gauge entities(String what) {
    return Kamon.gauge(
            "switchboard.sharding.running", "Agent entities and shards running on this node")
        .withTag("what", what);
  }

  /**
   * Connections of this node's database pools, by pool (write, read) and state (acquired, idle,
   * pending).
   */
  public static Gauge databasePool(String pool, String state) {
    return Kamon.gauge(
            "switchboard.database.pool.connections", "Database pool connections by state")
        .withTags(TagSet.of("pool", pool).withTag("state", state));
  }

  /**
   * Time of one database statement of the stores (envelopes, configurations, rollouts, operators,
   * fleet).
   */
  public static Histogram databaseQueryDuration() {
    return Kamon.histogram(
            "switchboard.database.query.duration",
            "Duration of one database statement",
            MeasurementUnit.time().nanoseconds())
        .withoutTags();
  }

  /** Leases this node acquired (shard leases, singleton leader leases), by lease name. */
  public static Counter leaseAcquisitions(String lease) {
    return Kamon.counter("switchboard.lease.acquisitions", "Leases acquired by this node")
        .withTag("lease", lease);
  }

  /** Leases this node held and lost (taken by another owner, or not renewed in time). */
  public static Counter leaseLosses(String lease) {
    return Kamon.counter("switchboard.lease.losses", "Leases this node lost")
        .withTag("lease", lease);
  }

  /** Agent requests refused for a missing or wrong token. */
  public static Counter agentAuthFailures() {
    return Kamon.counter("switchboard.agent.auth.failures", "Agent requests without a valid token")
        .withoutTags();
  }

  /** Agent status rows written per flush of the status writer. */
  public static Histogram statusBatchSize() {
    return Kamon.histogram("switchboard.status.writer.batch.size", "Agent rows per status flush")
        .withoutTags();
  }

  /**
   * Time one status flush took, from the writer's point of view (includes waiting for a
   * connection).
   */
  public static Histogram statusFlushDuration() {
    return Kamon.histogram(
            "switchboard.status.writer.flush.duration",
            "Duration of one status flush",
            MeasurementUnit.time().nanoseconds())
        .withoutTags();
  }

  /** Agents whose latest state waits to be written. */
  public static Gauge statusPendingAgents() {
    return Kamon.gauge("switchboard.status.writer.pending.agents", "Agents with unwritten status")
        .withoutTags();
  }

  /** Age of the oldest unwritten status change when its flush completes. */
  public static Histogram statusWriteLag() {
    return Kamon.histogram(
            "switchboard.status.writer.write.lag",
            "Time from a status change to its row being written",
            MeasurementUnit.time().nanoseconds())
        .withoutTags();
  }

  /** Status flushes that failed (database unreachable, ...) and will be retried. */
  public static Counter statusFlushFailures() {
    return Kamon.counter(
            "switchboard.status.writer.flush.failures",
            "Status flushes that failed and will be retried")
        .withoutTags();
  }

  /**
   * Agent status rows the database refused for their data, by reason (unstorable-text, too-large,
   * constraint, invalid-data). The rest of their batch was written.
   */
  public static Counter statusRowsRejected(String reason) {
    return Kamon.counter(
            "switchboard.status.rows.rejected",
            "Agent status rows the database refused for their data")
        .withTag("reason", reason);
  }

  /** Changes to envelopes the database refused for their data, by reason (as above). */
  public static Counter dispatchRowsRejected(String reason) {
    return Kamon.counter(
            "switchboard.dispatch.rows.rejected",
            "Envelope changes the database refused for their data")
        .withTag("reason", reason);
  }

  /**
   * Envelope changes (sent, applied, ...) given up because too many already waited for the
   * database; the sweep and the envelopes' deadlines close them.
   */
  public static Counter envelopeChangesDropped() {
    return Kamon.counter(
            "switchboard.dispatch.changes.dropped",
            "Envelope changes given up while the database was away")
        .withoutTags();
  }

  /**
   * Sessions refused because the agent's identity is bound to another credential than the one the
   * connection came with (someone presenting an agent's instance_uid that is not theirs).
   */
  public static Counter identityConflicts() {
    return Kamon.counter(
            "switchboard.identity.conflicts",
            "Agent sessions refused for another credential's identity")
        .withoutTags();
  }

  /**
   * Agents' certificate signing requests, by outcome (issued, refused-no-ca, refused-size,
   * refused-rate, refused-invalid, failed).
   */
  public static Counter certificateRequests(String outcome) {
    return Kamon.counter(
            "switchboard.certificate.requests", "Agents' certificate signing requests, by outcome")
        .withTag("outcome", outcome);
  }

  /** Agent connections refused at the TLS handshake for presenting a revoked certificate. */
  public static Counter revokedCertificatesRefused() {
    return Kamon.counter(
            "switchboard.certificate.revoked.refused",
            "Agent TLS handshakes refused for a revoked certificate")
        .withoutTags();
  }

  /** New agents turned away because the node took on its most new agents per second already. */
  public static Counter newAgentsShed() {
    return connectionsShedAtEntity("new-agent-rate");
  }

  private static Counter connectionsShedAtEntity(String reason) {
    return Kamon.counter(
            "switchboard.connections.shed",
            "Agents turned away because the node is full or flooded")
        .withTags(TagSet.of("transport", "any").withTag("reason", reason));
  }

  /**
   * Messages for an agent dropped while its entity was starting, beyond what it keeps meanwhile.
   */
  public static Counter entityMessagesDropped() {
    return Kamon.counter(
            "switchboard.agent.messages.dropped",
            "Agent messages dropped while their entity started")
        .withoutTags();
  }

  /**
   * Agent statuses whose reported parts were dropped because waiting statuses already held the
   * writer's byte bound (a long database outage); their liveness was kept.
   */
  public static Counter statusShed() {
    return Kamon.counter(
            "switchboard.status.writer.shed",
            "Agent statuses kept without their report: the writer was full")
        .withoutTags();
  }

  /**
   * Agent messages that changed nothing but the agent's last-seen time and sequence number, not
   * handed to the status writer because the last-seen time written last was younger than the
   * last-seen interval.
   */
  public static Counter statusWritesSkipped() {
    return Kamon.counter(
            "switchboard.status.writes.skipped",
            "Heartbeats not written: only last-seen changed, within the last-seen interval")
        .withoutTags();
  }
}
