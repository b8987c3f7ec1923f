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
import static org.apache.pekko.http.javadsl.server.Directives.reject;
import static org.apache.pekko.http.javadsl.server.Directives.respondWithHeaders;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.api.agents.AgentCommandRoutes;
import io.switchboard.api.agents.AgentLabelRoutes;
import io.switchboard.api.agents.AgentRecordRoutes;
import io.switchboard.api.agents.AgentRoutes;
import io.switchboard.api.assignments.AssignmentRoutes;
import io.switchboard.api.audit.AuditRoutes;
import io.switchboard.api.auth.Authentication;
import io.switchboard.api.auth.OperatorAccess;
import io.switchboard.api.components.ComponentRoutes;
import io.switchboard.api.configurations.ConfigurationRoutes;
import io.switchboard.api.dashboard.DashboardApi;
import io.switchboard.api.envelopes.EnvelopeRoutes;
import io.switchboard.api.http.Problem;
import io.switchboard.api.packages.PackageRoutes;
import io.switchboard.api.rollouts.RolloutRoutes;
import io.switchboard.api.webhooks.WebhookRoutes;
import io.switchboard.dispatch.AgentRecordActions;
import io.switchboard.dispatch.DispatchSettings;
import io.switchboard.dispatch.Dispatcher;
import io.switchboard.dispatch.assignment.Assignments;
import io.switchboard.dispatch.packages.PackageSettings;
import io.switchboard.dispatch.packages.PackageUploads;
import io.switchboard.dispatch.rollout.Rollouts;
import io.switchboard.persistence.DatabaseFailures;
import io.switchboard.persistence.RowIsolation;
import io.switchboard.persistence.stores.Stores;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
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
 * paths get 404, a database that does not answer gets 503 so a client knows to retry, and anything
 * unexpected gets 500 with an id to find it in the log.
 */
public final class OperatorApi {

  private static final Logger log = LoggerFactory.getLogger(OperatorApi.class);

  private final AgentRoutes agents;
  private final AgentCommandRoutes agentCommands;
  private final AgentLabelRoutes agentLabels;
  private final AgentRecordRoutes agentRecords;
  private final EnvelopeRoutes envelopes;
  private final ConfigurationRoutes configurations;
  private final RolloutRoutes rollouts;
  private final AssignmentRoutes assignmentRoutes;
  private final AuditRoutes audit;
  private final ComponentRoutes components;
  private final WebhookRoutes webhooks;
  private final PackageRoutes packages;
  private final OperatorAccess access;
  private final Authentication authentication;
  private final DashboardApi dashboard;
  private final BooleanSupplier nodeUp;

  /**
   * Lists and queries read through the stores on the read pool (a replica when configured);
   * operator actions check the agent on the primary, so that an agent that just connected is found;
   * envelopes are read there too, since their state changes by the second.
   */
  public OperatorApi(
      Stores stores,
      AgentRecordActions agentRecordActions,
      Dispatcher dispatcher,
      DispatchSettings dispatchSettings,
      Rollouts rollouts,
      OperatorAccess access,
      DashboardApi dashboard,
      ApiSettings settings,
      ObjectMapper json,
      BooleanSupplier nodeUp,
      PackageSettings packageSettings,
      Assignments assignments) {
    this.nodeUp = nodeUp;
    this.access = access;
    this.authentication = access.authentication();
    this.dashboard = dashboard;
    this.agents =
        new AgentRoutes(
            stores.agentQueries(), settings.maxPageSize(), settings.viewerRedactedKeys(), json);
    this.agentCommands =
        new AgentCommandRoutes(
                dispatcher, dispatchSettings, settings.maxConfigBytes(), json, settings.secrets())
            .overridingAssignments(
                assignments == null
                    ? (uid, envelope, actor) -> CompletableFuture.completedFuture(null)
                    : (uid, envelope, actor) ->
                        stores.assignments().setOverride(uid, envelope, actor));
    this.agentLabels =
        new AgentLabelRoutes(
            stores.agents(),
            json,
            assignments == null ? uid -> {} : uid -> assignments.applier().follow(uid));
    this.assignmentRoutes =
        assignments == null
            ? null
            : new AssignmentRoutes(assignments, stores.assignments(), stores.agentQueries(), json);
    this.agentRecords = new AgentRecordRoutes(agentRecordActions, json);
    this.envelopes = new EnvelopeRoutes(stores.envelopes(), settings.maxPageSize(), json);
    this.configurations =
        new ConfigurationRoutes(stores.configurations(), settings.maxConfigBytes(), json);
    this.rollouts = new RolloutRoutes(rollouts, stores.rollouts(), stores.agents(), json);
    this.audit = new AuditRoutes(stores.audit(), settings.maxPageSize(), json);
    this.components = new ComponentRoutes(stores.components(), json);
    this.webhooks = new WebhookRoutes(stores.webhooks(), settings.webhooksAllowPlainHttp(), json);
    this.packages =
        new PackageRoutes(
            stores.packages(),
            new PackageUploads(stores.packages(), packageSettings),
            settings.maxPageSize(),
            json);
  }

  public Route route() {
    return pathPrefix(
        "api",
        () ->
            respondWithHeaders(
                // No API answer belongs in a shared or browser cache, and none is to be sniffed.
                List.of(
                    RawHeader.create("Cache-Control", "no-store"),
                    RawHeader.create("X-Content-Type-Options", "nosniff")),
                () -> routes()));
  }

  private Route routes() {
    return handleExceptions(
        unexpectedFailures(),
        () ->
            concat(
                path("health", () -> get(this::health)),
                path(
                    "openapi.json",
                    () ->
                        get(
                            () ->
                                getFromResource(
                                    "api/openapi.json", ContentTypes.APPLICATION_JSON))),
                handleRejections(
                    badRequests(),
                    () ->
                        concat(
                            access.routes(),
                            authentication.authorized(
                                principal ->
                                    concat(
                                        agents.route(principal.role()),
                                        agentCommands.route(),
                                        agentLabels.route(),
                                        agentRecords.route(),
                                        envelopes.route(),
                                        configurations.route(),
                                        rollouts.route(),
                                        assignmentRoutes == null
                                            ? reject()
                                            : assignmentRoutes.route(),
                                        audit.route(),
                                        components.route(),
                                        webhooks.route(),
                                        packages.route(),
                                        dashboard.route(() -> authentication.live(principal)))))),
                extractUnmatchedPath(
                    unmatched ->
                        complete(
                            Problem.response(
                                StatusCodes.NOT_FOUND, "no API resource at /api" + unmatched)))));
  }

  /**
   * {@code GET /api/health} for load balancers: cheap (no database), unauthenticated, 200 while
   * this node is an Up cluster member, 503 otherwise. Pekko Management's /ready is the thorough
   * check.
   */
  private Route health() {
    boolean up = nodeUp.getAsBoolean();
    return complete(
        HttpResponse.create()
            .withStatus(up ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE)
            .withEntity(
                ContentTypes.APPLICATION_JSON, "{\"status\":\"" + (up ? "UP" : "DOWN") + "\"}"));
  }

  /** A request that reached a resource but is unusable gets a problem body saying why. */
  private static RejectionHandler badRequests() {
    return RejectionHandler.newBuilder()
        .handle(
            MalformedRequestContentRejection.class,
            rejection ->
                complete(
                    Problem.response(
                        StatusCodes.BAD_REQUEST, "unreadable body: " + rejection.message())))
        .handle(
            UnsupportedRequestContentTypeRejection.class,
            rejection ->
                complete(
                    Problem.response(StatusCodes.UNSUPPORTED_MEDIA_TYPE, "send application/json")))
        .handleAll(
            MethodRejection.class,
            rejections ->
                complete(
                    Problem.response(
                        StatusCodes.METHOD_NOT_ALLOWED,
                        "allowed: "
                            + rejections.stream()
                                .map(rejection -> rejection.supported().name())
                                .distinct()
                                .toList())))
        .build();
  }

  /**
   * A database that does not answer is a 503 (the client should retry); data the database refuses
   * is the request's fault, a 400; anything else is a 500 whose problem body carries the id under
   * which it is logged, so an operator's report can be matched with the node's log.
   */
  private static ExceptionHandler unexpectedFailures() {
    return ExceptionHandler.newBuilder()
        .matchAny(
            failure -> {
              if (DatabaseFailures.unavailable(failure)) {
                log.warn(
                    "API request failed, the database is not answering: {}", failure.toString());
                return complete(
                    Problem.response(
                        StatusCodes.SERVICE_UNAVAILABLE,
                        "the database is not answering; retry shortly"));
              }
              if (RowIsolation.rejection(failure).isPresent()) {
                // Validation should have caught it; the database's refusal still says what is
                // wrong.
                log.warn(
                    "API request refused by the database for its data: {}", failure.toString());
                return complete(
                    Problem.response(
                        StatusCodes.BAD_REQUEST,
                        "the request holds data the database cannot store: "
                            + rootMessage(failure)));
              }
              String correlation = UUID.randomUUID().toString();
              log.error("API request failed unexpectedly [correlation {}]", correlation, failure);
              return complete(
                  Problem.response(
                      StatusCodes.INTERNAL_SERVER_ERROR,
                      "the request failed unexpectedly; the node's log has it under " + correlation,
                      Map.of("correlation_id", correlation)));
            })
        .build();
  }

  private static String rootMessage(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage();
  }
}
