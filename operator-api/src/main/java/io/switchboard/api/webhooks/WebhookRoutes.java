package io.switchboard.api.webhooks;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.delete;
import static org.apache.pekko.http.javadsl.server.Directives.entity;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.parameterMap;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathEnd;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.post;
import static org.apache.pekko.http.javadsl.server.Directives.put;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.api.http.Json;
import io.switchboard.api.http.Operator;
import io.switchboard.api.http.Problem;
import io.switchboard.api.http.QueryParameters;
import io.switchboard.dispatch.webhooks.WebhookSignature;
import io.switchboard.persistence.webhooks.Webhook;
import io.switchboard.persistence.webhooks.WebhookDelivery;
import io.switchboard.persistence.webhooks.WebhookStore;
import java.util.List;
import java.util.Map;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /api/webhooks}: list, read, create (its secret shown this once), change, delete, and a
 * webhook's latest deliveries. Changes need the OPERATOR role (as every change does) and are
 * audited.
 */
public final class WebhookRoutes {

  /** A webhook as the API shows it: never its secret, except once in the answer creating it. */
  record WebhookView(
      @JsonProperty("name") String name,
      @JsonProperty("url") String url,
      @JsonProperty("events") List<String> events,
      @JsonProperty("disconnected_after_minutes") int disconnectedAfterMinutes,
      @JsonProperty("enabled") boolean enabled,
      @JsonProperty("created_at") String createdAt,
      @JsonProperty("updated_at") String updatedAt) {

    static WebhookView of(Webhook webhook) {
      return new WebhookView(
          webhook.name(),
          webhook.url(),
          webhook.events(),
          webhook.disconnectedAfterMinutes(),
          webhook.enabled(),
          webhook.createdAt().toString(),
          webhook.updatedAt().toString());
    }
  }

  /** What creating one answers: the webhook and its secret. */
  record CreatedView(
      @JsonProperty("name") String name,
      @JsonProperty("url") String url,
      @JsonProperty("events") List<String> events,
      @JsonProperty("disconnected_after_minutes") int disconnectedAfterMinutes,
      @JsonProperty("enabled") boolean enabled,
      @JsonProperty("created_at") String createdAt,
      @JsonProperty("updated_at") String updatedAt,
      @JsonProperty("secret") String secret) {}

  /** One delivery and its last attempt; times as ISO-8601 text, null where none yet. */
  record DeliveryView(
      @JsonProperty("id") long id,
      @JsonProperty("event") String event,
      @JsonProperty("created_at") String createdAt,
      @JsonProperty("attempts") int attempts,
      @JsonProperty("last_attempt_at") String lastAttemptAt,
      @JsonProperty("last_status") Integer lastStatus,
      @JsonProperty("last_error") String lastError,
      @JsonProperty("delivered_at") String deliveredAt,
      @JsonProperty("next_attempt_at") String nextAttemptAt) {

    static DeliveryView of(WebhookDelivery delivery) {
      return new DeliveryView(
          delivery.id(),
          delivery.event(),
          text(delivery.createdAt()),
          delivery.attempts(),
          text(delivery.lastAttemptAt()),
          delivery.lastStatus(),
          delivery.lastError(),
          text(delivery.deliveredAt()),
          text(delivery.nextAttemptAt()));
    }

    private static String text(java.time.Instant instant) {
      return instant == null ? null : instant.toString();
    }
  }

  static final int DEFAULT_DISCONNECTED_AFTER_MINUTES = 5;
  private static final int MAX_DELIVERIES = 200;

  private final WebhookStore store;
  private final boolean allowPlainHttp;
  private final ObjectMapper json;

  public WebhookRoutes(WebhookStore store, boolean allowPlainHttp, ObjectMapper json) {
    this.store = store;
    this.allowPlainHttp = allowPlainHttp;
    this.json = json;
  }

  public Route route() {
    return pathPrefix(
        "webhooks",
        () ->
            concat(
                pathEnd(
                    () ->
                        concat(
                            get(
                                () ->
                                    onSuccess(
                                        store.list(),
                                        all ->
                                            Json.respond(
                                                json,
                                                StatusCodes.OK,
                                                Map.of(
                                                    "webhooks",
                                                    all.stream().map(WebhookView::of).toList())))),
                            post(() -> Operator.named(this::create)))),
                pathPrefix(segment(), this::webhook)));
  }

  private Route create(String actor) {
    return entity(
        Jackson.unmarshaller(json, WebhookRequest.class),
        request -> {
          String problem = request.problemCreating(allowPlainHttp);
          if (problem != null) {
            return complete(Problem.response(StatusCodes.BAD_REQUEST, problem));
          }
          String secret =
              request.secret() == null ? WebhookSignature.newSecret() : request.secret();
          int minutes =
              request.disconnectedAfterMinutes() == null
                  ? DEFAULT_DISCONNECTED_AFTER_MINUTES
                  : request.disconnectedAfterMinutes();
          return onSuccess(
              store.create(
                  request.name(), request.url(), request.distinctEvents(), minutes, secret, actor),
              created ->
                  created.isEmpty()
                      ? complete(
                          Problem.response(
                              StatusCodes.CONFLICT,
                              "a webhook named " + request.name() + " exists"))
                      : Json.respond(json, StatusCodes.CREATED, withSecret(created.get(), secret)));
        });
  }

  private Route webhook(String name) {
    if (!WebhookRequest.NAME.matcher(name).matches()) {
      return complete(notFound(name));
    }
    return concat(
        pathEnd(
            () ->
                concat(
                    get(
                        () ->
                            onSuccess(
                                store.find(name),
                                found ->
                                    found.isEmpty()
                                        ? complete(notFound(name))
                                        : Json.respond(
                                            json, StatusCodes.OK, WebhookView.of(found.get())))),
                    put(() -> Operator.named(actor -> change(name, actor))),
                    delete(
                        () ->
                            Operator.named(
                                actor ->
                                    onSuccess(
                                        store.delete(name, actor),
                                        deleted ->
                                            deleted
                                                ? complete(StatusCodes.NO_CONTENT)
                                                : complete(notFound(name))))))),
        path(
            "deliveries",
            () -> get(() -> parameterMap(parameters -> deliveries(name, parameters)))));
  }

  private Route change(String name, String actor) {
    return entity(
        Jackson.unmarshaller(json, WebhookRequest.class),
        request -> {
          String problem =
              request.name() != null && !request.name().equals(name)
                  ? "a webhook cannot be renamed"
                  : request.problemChanging(allowPlainHttp);
          if (problem != null) {
            return complete(Problem.response(StatusCodes.BAD_REQUEST, problem));
          }
          return onSuccess(
              store.update(
                  name,
                  request.url(),
                  request.distinctEvents(),
                  request.disconnectedAfterMinutes(),
                  request.enabled(),
                  request.secret(),
                  actor),
              changed ->
                  changed.isEmpty()
                      ? complete(notFound(name))
                      : Json.respond(json, StatusCodes.OK, WebhookView.of(changed.get())));
        });
  }

  private Route deliveries(String name, Map<String, String> parameters) {
    int limit;
    try {
      limit = QueryParameters.limit(parameters, MAX_DELIVERIES);
    } catch (IllegalArgumentException e) {
      return complete(Problem.response(StatusCodes.BAD_REQUEST, e.getMessage()));
    }
    return onSuccess(
        store.find(name),
        found ->
            found.isEmpty()
                ? complete(notFound(name))
                : onSuccess(
                    store.deliveries(name, limit),
                    deliveries ->
                        Json.respond(
                            json,
                            StatusCodes.OK,
                            Map.of(
                                "deliveries",
                                deliveries.stream().map(DeliveryView::of).toList()))));
  }

  private static CreatedView withSecret(Webhook webhook, String secret) {
    return new CreatedView(
        webhook.name(),
        webhook.url(),
        webhook.events(),
        webhook.disconnectedAfterMinutes(),
        webhook.enabled(),
        webhook.createdAt().toString(),
        webhook.updatedAt().toString(),
        secret);
  }

  private static HttpResponse notFound(String name) {
    return Problem.response(StatusCodes.NOT_FOUND, "no webhook " + name);
  }
}
