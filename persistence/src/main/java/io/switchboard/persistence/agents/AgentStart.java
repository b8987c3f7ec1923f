package io.switchboard.persistence.agents;

import io.switchboard.persistence.envelopes.EnvelopeKind;
import io.switchboard.persistence.envelopes.LatestEnvelope;
import java.util.Map;

/**
 * What a new incarnation of an agent's entity reads before it serves the agent: whether the agent
 * is known at all (it has a row), the principal its identity is bound to (null: none yet), and per
 * kind that sets what it runs (remote config, connection settings) its latest envelope that is open
 * or was applied.
 */
public record AgentStart(
    boolean known, String principal, Map<EnvelopeKind, LatestEnvelope> desired) {

  /** An agent the database has never seen. */
  public static final AgentStart UNKNOWN = new AgentStart(false, null, Map.of());
}
