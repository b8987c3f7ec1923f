package io.switchboard.dispatch;

import io.switchboard.cluster.agent.AgentProtocol;
import io.switchboard.cluster.agent.AgentRefs;
import io.switchboard.persistence.agents.AgentRepository;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;

/**
 * What operators do to an agent's record itself, each reaching both the agent's entity (wherever it
 * runs) and the database: remove the agent, or reset the binding of its identity to a credential.
 * Both are audited as the operator's.
 */
public final class AgentRecordActions {

  private static final Duration ENTITY_TIMEOUT = Duration.ofSeconds(5);

  private final AgentRepository agents;
  private final AgentRefs entities;

  public AgentRecordActions(AgentRepository agents, AgentRefs entities) {
    this.agents = agents;
    this.entities = entities;
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
