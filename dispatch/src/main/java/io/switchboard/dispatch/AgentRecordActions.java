package io.switchboard.dispatch;

import io.switchboard.cluster.agent.AgentProtocol;
import io.switchboard.cluster.agent.AgentRefs;
import io.switchboard.persistence.agents.AgentRepository;
import io.switchboard.persistence.certificates.CertificateStore;
import io.switchboard.persistence.certificates.IssuedCertificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;

/**
 * What operators do to an agent's record itself, each reaching both the agent's entity (wherever it
 * runs) and the database: remove the agent, reset the binding of its identity to a credential, or
 * revoke a certificate the server's CA issued it. Each is audited as the operator's.
 */
public final class AgentRecordActions {

  private static final Duration ENTITY_TIMEOUT = Duration.ofSeconds(5);

  private final AgentRepository agents;
  private final AgentRefs entities;
  private final CertificateStore certificates;

  public AgentRecordActions(AgentRepository agents, AgentRefs entities) {
    this(agents, entities, null);
  }

  /** With the certificates the server's CA issued agents (null: none to list or revoke). */
  public AgentRecordActions(
      AgentRepository agents, AgentRefs entities, CertificateStore certificates) {
    this.agents = agents;
    this.entities = entities;
    this.certificates = certificates;
  }

  /** The agent's certificates, newest first (at most {@code limit}). */
  public CompletionStage<List<IssuedCertificate>> certificates(String instanceUid, int limit) {
    return certificates == null
        ? CompletableFuture.completedFuture(List.of())
        : certificates.forAgent(instanceUid, limit);
  }

  /**
   * Revokes one of the agent's certificates (audited): every node refuses it at the TLS handshake
   * once it has read the revocations again, and the agent's entity stops offering it. False when
   * the agent has no such certificate, or it was revoked already.
   */
  public CompletionStage<Boolean> revokeCertificate(
      String instanceUid, String serial, String actor) {
    if (certificates == null) {
      return CompletableFuture.completedFuture(false);
    }
    return certificates
        .revoke(instanceUid, serial, actor)
        .thenApply(
            found -> {
              if (found) {
                entities.entityFor(instanceUid).tell(new AgentProtocol.CertificateRevoked());
              }
              return found;
            });
  }

  /**
   * Removes the agent with its status history; false if there was no such agent. Its entity lets
   * its session go and stops first, so that nothing writes the agent's row again after it is gone
   * (an agent that reports again comes back as a new one).
   */
  public CompletionStage<Boolean> remove(String instanceUid, String actor) {
    return entities
        .entityFor(instanceUid)
        .<Done>ask(AgentProtocol.Remove::new, ENTITY_TIMEOUT)
        .thenCompose(stopped -> agents.delete(instanceUid, actor));
  }

  /**
   * Unbinds the agent's identity from its credential, for a re-enrolment: its next session binds it
   * again. False if there was no such agent.
   */
  public CompletionStage<Boolean> resetCredential(String instanceUid, String actor) {
    return agents
        .resetPrincipal(instanceUid, actor)
        .thenApply(
            found -> {
              if (found) {
                entities.entityFor(instanceUid).tell(new AgentProtocol.CredentialReset());
              }
              return found;
            });
  }
}
