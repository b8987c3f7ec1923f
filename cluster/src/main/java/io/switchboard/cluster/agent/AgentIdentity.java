package io.switchboard.cluster.agent;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Whose agent this is: the principal (what a credential proves) the agent's identity is bound to.
 * The first credential an agent is seen with binds it; a session with any other credential is
 * refused, so that nobody who merely knows an agent's instance_uid (every dashboard viewer does)
 * can take its session, its desired config or its commands. A session without a credential (agent
 * authentication off) is admitted only while the identity is unbound.
 */
final class AgentIdentity {

  /** How often one agent's identity conflicts are audited at most; the metric counts every one. */
  private static final Duration AUDIT_EVERY = Duration.ofMinutes(1);

  private String bound;

  /** Whether {@link #bound} is what the database holds (or will, once written), not a guess. */
  private boolean confirmed;

  private Instant lastAudited = Instant.EPOCH;

  private AgentIdentity(String bound, boolean confirmed) {
    this.bound = bound;
    this.confirmed = confirmed;
  }

  /** As the database has it. */
  static AgentIdentity stored(String principal) {
    return new AgentIdentity(principal, true);
  }

  /** The database could not be read: the first credential seen binds provisionally. */
  static AgentIdentity unconfirmed() {
    return new AgentIdentity(null, false);
  }

  /**
   * Whether a session with {@code principal} may serve the agent; the first credential seen binds
   * an unbound identity.
   */
  boolean admit(String principal) {
    if (bound == null) {
      bound = principal;
      return true;
    }
    return bound.equals(principal);
  }

  /** The principal the identity is bound to, or null. */
  String principal() {
    return bound;
  }

  boolean confirmed() {
    return confirmed;
  }

  /**
   * The database answered at last: what it holds wins over a provisional binding. True when the
   * current session was bound to another credential than the stored one, and must go.
   */
  boolean confirm(String stored) {
    confirmed = true;
    if (stored == null || stored.equals(bound)) {
      return false;
    }
    boolean conflict = bound != null;
    bound = stored;
    return conflict;
  }

  /** An operator reset the binding: the next session binds it again. */
  void reset() {
    bound = null;
    confirmed = true;
  }

  /** Whether this conflict should be audited (one a minute per agent at most). */
  boolean auditNow(Instant now) {
    if (Duration.between(lastAudited, now).compareTo(AUDIT_EVERY) < 0) {
      return false;
    }
    lastAudited = now;
    return true;
  }

  @Override
  public String toString() {
    return Objects.toString(bound, "unbound");
  }
}
