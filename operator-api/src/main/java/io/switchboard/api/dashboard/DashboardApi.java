package io.switchboard.api.dashboard;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.completeOK;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.api.http.Json;
import io.switchboard.api.http.Problem;
import io.switchboard.api.http.QueryParameters;
import io.switchboard.persistence.fleet.FleetQueries;
import io.switchboard.persistence.fleet.FleetSummary;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.marshalling.sse.EventStreamMarshalling;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * What the dashboard reads beyond the rest of the API: {@code GET /api/fleet} (summary, computed at
 * most once per interval per node), {@code GET /api/agents/{id}/history}, {@code GET /api/cluster}
 * (members, roles, sessions per node, leases) and {@code GET /api/events} (live updates, SSE).
 */
public final class DashboardApi {

  private final FleetQueries fleet;
  private final LiveBus liveBus;
  private final Supplier<List<ClusterMember>> members;
  private final Duration summaryAge;
  private final ObjectMapper json;
  private volatile CompletableFuture<FleetSummary> summary =
      CompletableFuture.failedFuture(new IllegalStateException("none yet"));
  private volatile Instant summarizedAt = Instant.EPOCH;

  public DashboardApi(
      FleetQueries fleet,
      LiveBus liveBus,
      Supplier<List<ClusterMember>> members,
      Duration summaryAge,
      ObjectMapper json) {
    this.fleet = fleet;
    this.liveBus = liveBus;
    this.members = members;
    this.summaryAge = summaryAge;
    this.json = json;
  }

  /** {@code sessionLive} says whether the caller's session still holds, to end its live stream. */
  public Route route(Supplier<CompletionStage<Boolean>> sessionLive) {
    return concat(
        path(
            "fleet",
            () ->
                get(
                    () ->
                        onSuccess(summary(), value -> Json.respond(json, StatusCodes.OK, value)))),
        path(
            "events",
            () ->
                get(
                    () ->
                        completeOK(
                            liveBus.subscribe(sessionLive),
                            EventStreamMarshalling.toEventStream()))),
        path(
            "cluster",
            () ->
                get(
                    () ->
                        onSuccess(
                            summary(),
                            value ->
                                onSuccess(
                                    fleet.leases(),
                                    leases ->
                                        Json.respond(
                                            json,
                                            StatusCodes.OK,
                                            Map.of(
                                                "members",
                                                members.get(),
                                                "sessions_per_node",
                                                value.sessionsPerNode(),
                                                "leases",
                                                leases.stream()
                                                    .map(
                                                        lease ->
                                                            Map.of(
                                                                "name", lease.name(),
                                                                "owner", lease.owner(),
                                                                "expires_at",
                                                                    lease.expiresAt().toString(),
                                                                "fencing_token",
                                                                    lease.fencingToken()))
                                                    .toList())))))),
        pathPrefix(
            "agents",
            () ->
                pathPrefix(
                    segment(),
                    uid ->
                        path(
                            "history",
                            () ->
                                get(
                                    () -> {
                                      String instanceUid;
                                      try {
                                        instanceUid = QueryParameters.instanceUid(uid);
                                      } catch (IllegalArgumentException e) {
                                        return complete(
                                            Problem.response(
                                                StatusCodes.BAD_REQUEST, e.getMessage()));
                                      }
                                      return onSuccess(
                                          fleet.history(instanceUid, 50),
                                          history ->
                                              Json.respond(
                                                  json,
                                                  StatusCodes.OK,
                                                  Map.of(
                                                      "history",
                                                      history.stream()
                                                          .map(ChangeView::of)
                                                          .toList())));
                                    })))));
  }

  /** The fleet summary scans every agent: shared by all callers for {@code summaryAge}. */
  private CompletionStage<FleetSummary> summary() {
    if (Instant.now().isAfter(summarizedAt.plus(summaryAge))
        || summary.isCompletedExceptionally()) {
      summarizedAt = Instant.now();
      summary = fleet.summary().toCompletableFuture();
    }
    return summary;
  }
}
