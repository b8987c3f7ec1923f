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
import io.switchboard.api.http.Json;
import io.switchboard.api.http.Operator;
import io.switchboard.api.http.Problem;
import io.switchboard.api.http.QueryParameters;
import io.switchboard.dispatch.AgentRecordActions;
import java.util.Map;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The agent's record itself, for OPERATOR: {@code DELETE /api/agents/{id}} removes the agent now
 * (its session is closed; if it reports again it comes back as a new agent), and {@code DELETE
 * /api/agents/{id}/credential} resets the binding of its identity to the credential it was first
 * seen with, for a legitimate re-enrolment (its next session binds it again). Both are audited.
 */
public final class AgentRecordRoutes {

  private final AgentRecordActions actions;
  private final ObjectMapper json;

  public AgentRecordRoutes(AgentRecordActions actions, ObjectMapper json) {
    this.actions = actions;
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
                        path(
                            "credential",
                            () ->
                                delete(
                                    () -> Operator.named(actor -> resetCredential(id, actor)))))));
  }

  private Route remove(String id, String actor) {
    String instanceUid;
    try {
      instanceUid = QueryParameters.instanceUid(id);
    } catch (IllegalArgumentException e) {
      return complete(Problem.response(StatusCodes.BAD_REQUEST, e.getMessage()));
    }
    return onSuccess(
        actions.remove(instanceUid, actor),
        found ->
            found
                ? Json.respond(
                    json, StatusCodes.OK, Map.of("instance_uid", instanceUid, "removed", true))
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
        actions.resetCredential(instanceUid, actor),
        found ->
            found
                ? Json.respond(
                    json,
                    StatusCodes.OK,
                    Map.of("instance_uid", instanceUid, "credential", "reset"))
                : complete(Problem.response(StatusCodes.NOT_FOUND, "no agent " + instanceUid)));
  }
}
