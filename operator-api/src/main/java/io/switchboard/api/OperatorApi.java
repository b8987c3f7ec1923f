package io.switchboard.api;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.extractUnmatchedPath;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.getFromResource;
import static org.apache.pekko.http.javadsl.server.Directives.handleExceptions;
import static org.apache.pekko.http.javadsl.server.Directives.handleRejections;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.api.agents.AgentCommandRoutes;
import io.switchboard.api.agents.AgentRoutes;
import io.switchboard.api.agents.AgentLabelRoutes;
import io.switchboard.api.audit.AuditRoutes;
import io.switchboard.api.auth.Authentication;
import io.switchboard.api.configurations.ConfigurationRoutes;
import io.switchboard.api.dashboard.DashboardApi;
import io.switchboard.api.rollouts.RolloutRoutes;
import io.switchboard.api.envelopes.EnvelopeRoutes;
import io.switchboard.dispatch.DispatchSettings;
import io.switchboard.dispatch.Dispatcher;
import io.switchboard.dispatch.rollout.Rollouts;
import io.switchboard.persistence.Database;
import io.switchboard.persistence.agents.AgentRepository;
import io.switchboard.persistence.audit.AuditLog;
import io.switchboard.persistence.configurations.ConfigurationStore;
import io.switchboard.persistence.rollouts.RolloutStore;
import io.switchboard.persistence.envelopes.EnvelopeStore;
import java.util.function.BooleanSupplier;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.MalformedRequestContentRejection;
import org.apache.pekko.http.javadsl.server.MethodRejection;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.server.UnsupportedRequestContentTypeRejection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator REST API under {@code /api}. Every error is a problem-details JSON body: unknown
 * paths get 404, and a failing backend (the database is down) gets 503 so a client knows to retry.
 */
public final class OperatorApi {

  private static final Logger log = LoggerFactory.getLogger(OperatorApi.class);

  private final AgentRoutes agents;
  private final AgentCommandRoutes agentCommands;
  private final AgentLabelRoutes agentLabels;
  private final EnvelopeRoutes envelopes;
  private final ConfigurationRoutes configurations;
  private final RolloutRoutes rollouts;
  private final AuditRoutes audit;
  private final Authentication authentication;
  private final DashboardApi dashboard;
  private final BooleanSupplier nodeUp;

  /**
   * Lists and queries read through the database's read pool (a replica when configured); operator
   * actions check the agent on the primary, so that an agent that just connected is found;
   * envelopes are read there too, since their state changes by the second.
   */
  public OperatorApi(
      Database database,
      Dispatcher dispatcher,
      DispatchSettings dispatchSettings,
      Rollouts rollouts,
      Authentication authentication,
      DashboardApi dashboard,
      ApiSettings settings,
      BooleanSupplier nodeUp) {
    this.nodeUp = nodeUp;
    this.authentication = authentication;
    this.dashboard = dashboard;
    ObjectMapper json = new ObjectMapper();
    this.agents = new AgentRoutes(new AgentRepository(database.readPool()), settings.maxPageSize(), json);
    this.agentCommands =
        new AgentCommandRoutes(dispatcher, dispatchSettings, json);
    this.agentLabels = new AgentLabelRoutes(new AgentRepository(database.pool()), json);
    this.envelopes = new EnvelopeRoutes(new EnvelopeStore(database.pool()), settings.maxPageSize(), json);
    this.configurations = new ConfigurationRoutes(new ConfigurationStore(database.pool()), json);
    this.rollouts =
        new RolloutRoutes(rollouts, new RolloutStore(database.pool()), new AgentRepository(database.pool()), json);
    this.audit = new AuditRoutes(new AuditLog(database.readPool()), settings.maxPageSize(), json);
  }

  public Route route() {
    return pathPrefix(
        "api",
        () ->
            handleExceptions(
                backendUnavailable(),
                () ->
                    concat(
                        path("health", () -> get(this::health)),
                        path("openapi.json", () -> get(() -> getFromResource("api/openapi.json", ContentTypes.APPLICATION_JSON))),
                        handleRejections(
                            badRequests(),
                            () ->
                                concat(
                                    authentication.sessionRoutes(),
                                    authentication.operatorRoutes(),
                                    authentication.authorized(
                                        () ->
                                            concat(
                                                agents.route(),
                                                agentCommands.route(),
                                                agentLabels.route(),
                                                envelopes.route(),
                                                configurations.route(),
                                                rollouts.route(),
                                                audit.route(),
                                                dashboard.route())))),
                        extractUnmatchedPath(
                            unmatched ->
                                complete(Problem.response(StatusCodes.NOT_FOUND, "no API resource at /api" + unmatched))))));
  }

  /**
   * {@code GET /api/health} for load balancers: cheap (no database), unauthenticated, 200 while this
   * node is an Up cluster member, 503 otherwise. Pekko Management's /ready is the thorough check.
   */
  private Route health() {
    boolean up = nodeUp.getAsBoolean();
    return complete(
        HttpResponse.create()
            .withStatus(up ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE)
            .withEntity(ContentTypes.APPLICATION_JSON, "{\"status\":\"" + (up ? "UP" : "DOWN") + "\"}"));
  }

  /** A request that reached a resource but is unusable gets a problem body saying why. */
  private static RejectionHandler badRequests() {
    return RejectionHandler.newBuilder()
        .handle(
            MalformedRequestContentRejection.class,
            rejection -> complete(Problem.response(StatusCodes.BAD_REQUEST, "unreadable body: " + rejection.message())))
        .handle(
            UnsupportedRequestContentTypeRejection.class,
            rejection -> complete(Problem.response(StatusCodes.UNSUPPORTED_MEDIA_TYPE, "send application/json")))
        .handleAll(
            MethodRejection.class,
            rejections ->
                complete(
                    Problem.response(
                        StatusCodes.METHOD_NOT_ALLOWED,
                        "allowed: "
                            + rejections.stream().map(rejection -> rejection.supported().name()).distinct().toList())))
        .build();
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
