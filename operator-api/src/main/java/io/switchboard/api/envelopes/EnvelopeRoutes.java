package io.switchboard.api.envelopes;

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
import io.switchboard.persistence.envelopes.Envelope;
import io.switchboard.persistence.envelopes.EnvelopeState;
import io.switchboard.persistence.envelopes.EnvelopeStore;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/envelopes} (newest first; {@code ?agent=}, {@code ?state=}, {@code ?limit=},
 * {@code ?before=} to page) and {@code GET /api/envelopes/{id}}.
 */
public final class EnvelopeRoutes {

  private static final Set<String> PARAMETERS = Set.of("agent", "state", "limit", "before");

  private final EnvelopeStore envelopes;
  private final int maxPageSize;
  private final ObjectMapper json;

  public EnvelopeRoutes(EnvelopeStore envelopes, int maxPageSize, ObjectMapper json) {
    this.envelopes = envelopes;
    this.maxPageSize = maxPageSize;
    this.json = json;
  }

  public Route route() {
    return pathPrefix(
        "envelopes",
        () ->
            concat(
                pathEnd(() -> get(() -> parameterMap(this::list))),
                path(segment(), id -> get(() -> one(id)))));
  }

  private Route list(Map<String, String> parameters) {
    int limit;
    Optional<EnvelopeState> state;
    Optional<UUID> before;
    try {
      QueryParameters.onlyKnown(parameters, PARAMETERS);
      limit = QueryParameters.limit(parameters, maxPageSize);
      state =
          Optional.ofNullable(parameters.get("state"))
              .map(value -> QueryParameters.enumValue(EnvelopeState.class, "state", value));
      before =
          Optional.ofNullable(parameters.get("before"))
              .map(value -> QueryParameters.uuid("before", value));
    } catch (IllegalArgumentException e) {
      return complete(Problem.response(StatusCodes.BAD_REQUEST, e.getMessage()));
    }
    return onSuccess(
        envelopes.list(Optional.ofNullable(parameters.get("agent")), state, before, limit),
        page -> completeOK(toPage(page, limit), Jackson.marshaller(json)));
  }

  private Route one(String id) {
    UUID envelope;
    try {
      envelope = QueryParameters.uuid("envelope id", id);
    } catch (IllegalArgumentException e) {
      return complete(Problem.response(StatusCodes.BAD_REQUEST, e.getMessage()));
    }
    return onSuccess(
        envelopes.find(envelope),
        found ->
            found.isPresent()
                ? completeOK(EnvelopeView.of(found.get()), Jackson.marshaller(json))
                : complete(Problem.response(StatusCodes.NOT_FOUND, "no envelope " + id)));
  }

  private static EnvelopePage toPage(List<Envelope> page, int limit) {
    String next = page.size() == limit ? page.get(page.size() - 1).id().toString() : null;
    return new EnvelopePage(page.stream().map(EnvelopeView::of).toList(), next);
  }
}
