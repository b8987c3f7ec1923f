package io.switchboard.cluster.agent;

import io.switchboard.persistence.envelopes.EnvelopeState;
import java.util.UUID;

/**
 * Where an agent's entity records what became of the envelopes it was handed. Recording does not
 * hold up the agent's session; the dispatch module keeps it in the database. A change the database
 * refuses is written again for about half a minute; if it never lands, the envelope stays open and
 * the redelivery sweep hands it back to the entity, which records again what it knows of it (an
 * entity that lost it with its node takes it afresh), and its deadline closes what nobody knows.
 */
public interface EnvelopeLedger {

  /** The envelope went down the agent's session held on {@code node}. */
  void sent(UUID envelope, String node);

  /** The envelope ended: APPLIED, FAILED or EXPIRED, with why. */
  void closed(UUID envelope, EnvelopeState outcome, String detail);
}
