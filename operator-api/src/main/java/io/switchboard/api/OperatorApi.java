package io.switchboard.api;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.extractUnmatchedPath;
import static org.apache.pekko.http.javadsl.server.Directives.handleExceptions;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.api.agents.AgentRoutes;
import io.switchboard.persistence.agents.AgentRepository;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator REST API under {@code /api}. Every error is a problem-details JSON body: unknown
 * paths get 404, and a failing backend (the database is down) gets 503 so a client knows to retry.
 */
public final class OperatorApi {

  private static final Logger log = LoggerFactory.getLogger(OperatorApi.class);

  private final AgentRoutes agents;

  public OperatorApi(AgentRepository agentRepository, ApiSettings settings) {
    this.agents = new AgentRoutes(agentRepository, settings.maxPageSize(), new ObjectMapper());
  }

  public Route route() {
    return pathPrefix(
        "api",
        () ->
            handleExceptions(
                backendUnavailable(),
                () ->
                    concat(
                        agents.route(),
                        extractUnmatchedPath(
                            unmatched ->
                                complete(Problem.response(StatusCodes.NOT_FOUND, "no API resource at /api" + unmatched))))));
  }

  private static ExceptionHandler backendUnavailable() {
    return ExceptionHandler.newBuilder()
        .matchAny(
            failure -> {
              log.warn("API request failed: {}", failure.toString());
              return complete(
                  Problem.response(StatusCodes.SERVICE_UNAVAILABLE, "the database is not answering; retry shortly"));
            })
        .build();
  }
}
