package io.switchboard.api.agents;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.completeOK;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.parameterMap;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathEnd;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.api.http.Problem;
import io.switchboard.api.http.QueryParameters;
import io.switchboard.persistence.agents.AgentQuery;
import io.switchboard.persistence.agents.AgentRecord;
import io.switchboard.persistence.agents.AgentRepository;
import io.switchboard.persistence.operators.Role;
import java.util.List;
import java.util.Map;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/agents} (filtered, sorted, keyset-paginated; see {@link AgentListParameters}) and
 * {@code GET /api/agents/{instance_uid}}: translates HTTP to repository calls and back, nothing
 * else.
 */
public final class AgentRoutes {

  private final AgentRepository agents;
  private final int maxPageSize;
  private final ObjectMapper json;

  private final ConfigRedaction redaction;

  public AgentRoutes(
      AgentRepository agents, int maxPageSize, List<String> viewerRedactedKeys, ObjectMapper json) {
    this.agents = agents;
    this.redaction = new ConfigRedaction(viewerRedactedKeys);
    this.maxPageSize = maxPageSize;
    this.json = json;
  }

  /** {@code role} is the caller's: a VIEWER sees configured keys' values redacted. */
  public Route route(Role role) {
    return pathPrefix(
        "agents",
        () ->
            concat(
                pathEnd(() -> get(() -> parameterMap(this::list))),
                path(segment(), instanceUid -> get(() -> one(instanceUid, role)))));
  }

  private Route list(Map<String, String> parameters) {
    AgentQuery query;
    try {
      query = AgentListParameters.parse(parameters, maxPageSize);
    } catch (IllegalArgumentException e) {
      return complete(Problem.response(StatusCodes.BAD_REQUEST, e.getMessage()));
    }
    return onSuccess(
        agents.list(query),
        page -> completeOK(toPage(page, query.limit()), Jackson.marshaller(json)));
  }

  private Route one(String id, Role role) {
    String instanceUid;
    try {
      instanceUid = QueryParameters.instanceUid(id);
    } catch (IllegalArgumentException e) {
      return complete(Problem.response(StatusCodes.BAD_REQUEST, e.getMessage()));
    }
    return onSuccess(
        agents.find(instanceUid),
        agent ->
            agent.isPresent()
                ? completeOK(
                    AgentView.detail(
                        agent.get(),
                        role == Role.VIEWER
                            ? redaction.redact(agent.get().effectiveConfigJson(), json)
                            : agent.get().effectiveConfigJson(),
                        json),
                    Jackson.marshaller(json))
                : complete(Problem.response(StatusCodes.NOT_FOUND, "no agent " + instanceUid)));
  }

  private AgentPage toPage(List<AgentRecord> page, int limit) {
    String next =
        page.size() == limit ? AgentListParameters.cursorAfter(page.get(page.size() - 1)) : null;
    return new AgentPage(page.stream().map(agent -> AgentView.listed(agent, json)).toList(), next);
  }
}
