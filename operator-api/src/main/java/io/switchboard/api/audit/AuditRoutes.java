package io.switchboard.api.audit;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.completeOK;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.parameterMap;
import static org.apache.pekko.http.javadsl.server.Directives.path;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonRawValue;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.api.http.Problem;
import io.switchboard.api.http.QueryParameters;
import io.switchboard.persistence.audit.AuditEvent;
import io.switchboard.persistence.audit.AuditLog;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/audit}: operator actions, newest first ({@code ?target=}, {@code ?limit=}, {@code
 * ?before=}).
 */
public final class AuditRoutes {

  private static final Set<String> PARAMETERS = Set.of("target", "limit", "before");

  private final AuditLog audit;
  private final int maxPageSize;
  private final ObjectMapper json;

  public AuditRoutes(AuditLog audit, int maxPageSize, ObjectMapper json) {
    this.audit = audit;
    this.maxPageSize = maxPageSize;
    this.json = json;
  }

  @JsonInclude(JsonInclude.Include.ALWAYS)
  record EventView(
      @JsonProperty("id") long id,
      @JsonProperty("at") String at,
      @JsonProperty("actor") String actor,
      @JsonProperty("action") String action,
      @JsonProperty("target") String target,
      @JsonProperty("before") @JsonRawValue String before,
      @JsonProperty("after") @JsonRawValue String after) {

    static EventView of(AuditEvent event) {
      return new EventView(
          event.id(),
          event.at().toString(),
          event.actor(),
          event.action(),
          event.target(),
          event.beforeJson(),
          event.afterJson());
    }
  }

  record EventPage(
      @JsonProperty("events") List<EventView> events, @JsonProperty("next") String next) {}

  public Route route() {
    return path("audit", () -> get(() -> parameterMap(this::list)));
  }

  private Route list(Map<String, String> parameters) {
    int limit;
    Optional<Long> before;
    try {
      QueryParameters.onlyKnown(parameters, PARAMETERS);
      limit = QueryParameters.limit(parameters, maxPageSize);
      before =
          Optional.ofNullable(parameters.get("before"))
              .map(value -> QueryParameters.positiveLong("before", value));
    } catch (IllegalArgumentException e) {
      return complete(Problem.response(StatusCodes.BAD_REQUEST, e.getMessage()));
    }
    return onSuccess(
        audit.list(Optional.ofNullable(parameters.get("target")), before, limit),
        events -> {
          String next =
              events.size() == limit ? Long.toString(events.get(events.size() - 1).id()) : null;
          return completeOK(
              new EventPage(events.stream().map(EventView::of).toList(), next),
              Jackson.marshaller(json));
        });
  }
}
