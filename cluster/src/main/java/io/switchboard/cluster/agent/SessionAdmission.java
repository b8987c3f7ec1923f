package io.switchboard.cluster.agent;

import io.switchboard.cluster.limits.TokenBucket;
import io.switchboard.observability.SwitchboardMetrics;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;

/**
 * Which sessions may serve an agent, for its entity: a session's credential must be the one the
 * agent's identity is bound to ({@link AgentIdentity}; the first one seen binds it), an agent the
 * cluster never saw must find room within the node's new agents per second, and a polling agent
 * stays within its own rate.
 */
final class SessionAdmission {

  /** What became of a new session. */
  enum Admission {
    ADMITTED,
    /** Its credential is not the one the agent's identity is bound to. */
    CONFLICT,
    /** The agent is new, and the node took on its most new agents this second already. */
    TOO_MANY_NEW_AGENTS
  }

  static final String CONFLICT = "this agent's instance_uid belongs to another credential";

  /** The principal of a certificate the server's CA issued, before the instance_uid it names. */
  static final String ISSUED = "issued:";

  static final String TOO_MANY_NEW_AGENTS =
      "too many new agents are arriving at this node; come back later";

  private final String instanceUid;
  private final AgentIdentity identity;
  private final TokenBucket newAgents;
  private final AgentDependencies.IdentityConflicts conflicts;
  private final AgentEntitySettings settings;
  private final Clock clock;
  private final Logger log;

  /**
   * Whether the agent has a row; one that has none is new, and new agents per second are bounded.
   */
  private boolean known;

  /** Bounds one polling agent's rate; made at its first poll (most agents hold a WebSocket). */
  private TokenBucket polls;

  SessionAdmission(
      String instanceUid,
      EntityStart.Started started,
      AgentDependencies dependencies,
      AgentEntitySettings settings,
      Clock clock,
      Logger log) {
    this.instanceUid = instanceUid;
    this.identity = started.identity();
    this.known = started.start().known();
    this.newAgents = dependencies.newAgents();
    this.conflicts = dependencies.conflicts();
    this.settings = settings;
    this.clock = clock;
    this.log = log;
  }

  /**
   * Whether a new session with {@code principal}, coming through {@code node}, may serve the agent.
   */
  Admission admit(String principal, String node) {
    if (!sameCredential(principal, node)) {
      return Admission.CONFLICT;
    }
    if (!known) {
      if (!newAgents.tryTake()) {
        SwitchboardMetrics.newAgentsShed().increment();
        return Admission.TOO_MANY_NEW_AGENTS;
      }
      known = true;
    }
    return Admission.ADMITTED;
  }

  /**
   * Whether {@code principal} is the credential the agent's identity is bound to (binding it when
   * unbound); a mismatch is counted, logged and, at most once a minute, audited.
   */
  boolean sameCredential(String principal, String node) {
    // A certificate the server's CA issued to this very agent (see AgentCredential.issued).
    if (identity.admit(principal) || (ISSUED + instanceUid).equals(principal)) {
      return true;
    }
    SwitchboardMetrics.identityConflicts().increment();
    log.warn(
        "Refused a session of agent {} from {}: its identity belongs to another credential",
        instanceUid,
        node);
    if (identity.auditNow(clock.instant())) {
      conflicts.record(instanceUid, identity.principal(), principal, node);
    }
    return false;
  }

  /** Whether the agent is known to the database (or was admitted as new). */
  boolean known() {
    return known;
  }

  /** The principal the agent's identity is bound to, or null. */
  String principal() {
    return identity.principal();
  }

  /** When a new agent turned away should come back. */
  Duration retryAfterNewAgents() {
    return newAgents.untilNext().plusSeconds(1);
  }

  /** Whether a polling agent may poll now; counted when it may not. */
  boolean pollAllowed() {
    if (polls == null) {
      polls = new TokenBucket(settings.pollsPerSecond(), settings.pollBurst());
    }
    if (polls.tryTake()) {
      return true;
    }
    SwitchboardMetrics.framesRejected(SwitchboardMetrics.Transport.HTTP, "poll-rate").increment();
    return false;
  }

  /** When a polling agent over its rate may poll again. */
  Duration untilNextPoll() {
    return polls.untilNext();
  }

  /** An operator reset the credential binding. */
  void resetCredential() {
    identity.reset();
  }

  boolean confirmed() {
    return identity.confirmed();
  }

  /** The stored binding, read at last: true when the current session's credential is not it. */
  boolean confirm(String stored) {
    return identity.confirm(stored);
  }
}
