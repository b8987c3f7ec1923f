package io.switchboard.api.agents;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.delete;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathEnd;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.api.Json;
import io.switchboard.api.Operator;
import io.switchboard.api.Problem;
import io.switchboard.api.QueryParameters;
import io.switchboard.cluster.agent.AgentProtocol;
import io.switchboard.cluster.agent.AgentRefs;
import io.switchboard.persistence.agents.AgentRepository;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The agent's record itself, for OPERATOR: {@code DELETE /api/agents/{id}} removes the agent now
 * (its session is closed; if it reports again it comes back as a new agent), and {@code DELETE
 * /api/agents/{id}/credential} resets the binding of its identity to the credential it was first
 * seen with, for a legitimate re-enrolment (its next session binds it again). Both are audited.
 */
public final class AgentRecordRoutes {

  private static final Duration ENTITY_TIMEOUT = Duration.ofSeconds(5);

  private final AgentRepository agents;
  private final AgentRefs entities;
  private final ObjectMapper json;

  public AgentRecordRoutes(AgentRepository agents, AgentRefs entities, ObjectMapper json) {
    this.agents = agents;
    this.entities = entities;
    this.json = json;
  }

  public Route route() {
    return pathPrefix(
        "agents",
        () ->
            pathPrefix(
                segment(),
                id ->
                    concat(
                        pathEnd(() -> delete(() -> Operator.named(actor -> remove(id, actor)))),
                        path("credential", () -> delete(() -> Operator.named(actor -> resetCredential(id, actor)))))));
  }

  private Route remove(String id, String actor) {
    String instanceUid;
    try {
      instanceUid = QueryParameters.instanceUid(id);
    } catch (IllegalArgumentException e) {
      return complete(Problem.response(StatusCodes.BAD_REQUEST, e.getMessage()));
    }
    // The entity lets its session go and stops first, so that it writes nothing after the row is gone.
    CompletionStage<Boolean> removed =
        entities
            .entityFor(instanceUid)
            .<Done>ask(AgentProtocol.Remove::new, ENTITY_TIMEOUT)
            .thenCompose(stopped -> agents.delete(instanceUid, actor));
    return onSuccess(
        removed,
        found ->
            found
                ? Json.respond(json, StatusCodes.OK, Map.of("instance_uid", instanceUid, "removed", true))
                : complete(Problem.response(StatusCodes.NOT_FOUND, "no agent " + instanceUid)));
  }

  private Route resetCredential(String id, String actor) {
    String instanceUid;
    try {
      instanceUid = QueryParameters.instanceUid(id);
    } catch (IllegalArgumentException e) {
      return complete(Problem.response(StatusCodes.BAD_REQUEST, e.getMessage()));
    }
    return onSuccess(
        agents.resetPrincipal(instanceUid, actor),
        found -> {
          if (!found) {
            return complete(Problem.response(StatusCodes.NOT_FOUND, "no agent " + instanceUid));
          }
          entities.entityFor(instanceUid).tell(new AgentProtocol.CredentialReset());
          return Json.respond(json, StatusCodes.OK, Map.of("instance_uid", instanceUid, "credential", "reset"));
        });
  }
}
