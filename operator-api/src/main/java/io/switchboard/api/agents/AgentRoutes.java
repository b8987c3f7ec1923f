package io.switchboard.api.agents;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.completeOK;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.parameterOptional;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathEnd;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.api.Problem;
import io.switchboard.persistence.agents.AgentRecord;
import io.switchboard.persistence.agents.AgentRepository;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/agents} (keyset-paginated with {@code limit} and {@code after}) and {@code GET
 * /api/agents/{instance_uid}}: translates HTTP to repository calls and back, nothing else.
 */
public final class AgentRoutes {

  private static final int DEFAULT_PAGE_SIZE = 100;

  private final AgentRepository agents;
  private final int maxPageSize;
  private final ObjectMapper json;

  public AgentRoutes(AgentRepository agents, int maxPageSize, ObjectMapper json) {
    this.agents = agents;
    this.maxPageSize = maxPageSize;
    this.json = json;
  }

  public Route route() {
    return pathPrefix(
        "agents",
        () ->
            concat(
                pathEnd(
                    () ->
                        get(
                            () ->
                                parameterOptional(
                                    "limit", limit -> parameterOptional("after", after -> list(limit, after))))),
                path(segment(), instanceUid -> get(() -> one(instanceUid)))));
  }

  private Route list(Optional<String> limitParameter, Optional<String> after) {
    int limit;
    try {
      limit = limitParameter.map(Integer::parseInt).orElse(DEFAULT_PAGE_SIZE);
    } catch (NumberFormatException e) {
      return complete(Problem.response(StatusCodes.BAD_REQUEST, "limit must be a whole number"));
    }
    if (limit < 1 || limit > maxPageSize) {
      return complete(
          Problem.response(StatusCodes.BAD_REQUEST, "limit must be between 1 and " + maxPageSize + ", got " + limit));
    }
    return onSuccess(
        agents.list(after.orElse(""), limit),
        page -> completeOK(toPage(page, limit), Jackson.marshaller(json)));
  }

  private Route one(String instanceUid) {
    try {
      UUID.fromString(instanceUid);
    } catch (IllegalArgumentException e) {
      return complete(
          Problem.response(StatusCodes.BAD_REQUEST, "'" + instanceUid + "' is not an instance_uid (a UUID)"));
    }
    return onSuccess(
        agents.find(instanceUid),
        agent ->
            agent.isPresent()
                ? completeOK(AgentView.of(agent.get()), Jackson.marshaller(json))
                : complete(Problem.response(StatusCodes.NOT_FOUND, "no agent " + instanceUid)));
  }

  private static AgentPage toPage(List<AgentRecord> page, int limit) {
    String next = page.size() == limit ? page.get(page.size() - 1).instanceUid() : null;
    return new AgentPage(page.stream().map(AgentView::of).toList(), next);
  }
}
