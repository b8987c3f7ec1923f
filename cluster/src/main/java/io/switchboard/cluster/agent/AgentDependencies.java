package io.switchboard.cluster.agent;

import io.switchboard.cluster.limits.TokenBucket;
import io.switchboard.observability.tracing.Tracing;
import io.switchboard.persistence.status.StatusWriter;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What every agent entity of a node works with: the node's status writer, the envelope ledger, the
 * start read, the bound on new agents per second (one bucket for the whole node), where identity
 * conflicts are audited, the node's tracer, and the certificate authority that signs agents'
 * certificate requests. An agent's standing assignment is decided off this path, from the rows the
 * status writer stores (see the node's wiring).
 */
public record AgentDependencies(
    ActorRef<StatusWriter.Command> statusWriter,
    EnvelopeLedger ledger,
    AgentStarts starts,
    TokenBucket newAgents,
    IdentityConflicts conflicts,
    Tracing tracing,
    AgentCertificates certificates) {

  /** Without tracing or a certificate authority. */
  public AgentDependencies(
      ActorRef<StatusWriter.Command> statusWriter,
      EnvelopeLedger ledger,
      AgentStarts starts,
      TokenBucket newAgents,
      IdentityConflicts conflicts) {
    this(statusWriter, ledger, starts, newAgents, conflicts, Tracing.OFF, AgentCertificates.NONE);
  }

  /** These dependencies with this certificate authority. */
  public AgentDependencies withCertificates(AgentCertificates authority) {
    return new AgentDependencies(
        statusWriter, ledger, starts, newAgents, conflicts, tracing, authority);
  }

  /** Records a session refused because the agent's identity belongs to another credential. */
  @FunctionalInterface
  public interface IdentityConflicts {
    void record(String instanceUid, String boundPrincipal, String presentedPrincipal, String node);
  }
}
