package io.switchboard.cluster.agent;

import io.switchboard.cluster.limits.TokenBucket;
import io.switchboard.persistence.status.StatusWriter;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What every agent entity of a node works with: the node's status writer, the envelope ledger, the
 * start read, the bound on new agents per second (one bucket for the whole node), and where
 * identity conflicts are audited.
 */
public record AgentDependencies(
    ActorRef<StatusWriter.Command> statusWriter,
    EnvelopeLedger ledger,
    AgentStarts starts,
    TokenBucket newAgents,
    IdentityConflicts conflicts) {

  /** Records a session refused because the agent's identity belongs to another credential. */
  @FunctionalInterface
  public interface IdentityConflicts {
    void record(String instanceUid, String boundPrincipal, String presentedPrincipal, String node);
  }
}
