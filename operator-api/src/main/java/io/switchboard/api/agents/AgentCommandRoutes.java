package io.switchboard.api.agents;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.entity;
import static org.apache.pekko.http.javadsl.server.Directives.mapResponse;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.optionalHeaderValueByName;
import static org.apache.pekko.http.javadsl.server.Directives.parameterOptional;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.post;
import static org.apache.pekko.http.javadsl.server.Directives.put;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.switchboard.api.envelopes.EnvelopeView;
import io.switchboard.api.http.Operator;
import io.switchboard.api.http.Problem;
import io.switchboard.dispatch.DispatchSettings;
import io.switchboard.dispatch.Dispatcher;
import io.switchboard.dispatch.OperatorCommand;
import io.switchboard.observability.tracing.TraceAttributes;
import io.switchboard.opamp.ConnectionSecrets;
import io.switchboard.opamp.proto.CommandType;
import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.opamp.proto.ServerToAgentCommand;
import io.switchboard.persistence.envelopes.EnvelopeKind;
import io.switchboard.persistence.envelopes.EnvelopeState;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Operator commands for one agent: {@code PUT /api/agents/{id}/remote-config}, {@code PUT
 * /api/agents/{id}/connection-settings}, {@code POST /api/agents/{id}/restart} and {@code POST
 * /api/agents/{id}/custom-messages}. Each is checked and handed to the {@link Dispatcher}, which
 * stores it as an envelope before anything else. Answers: 202 with the envelope (sent, or pending
 * until the agent can take it), 200 with the earlier envelope for a retry under the same {@code
 * Idempotency-Key}, 409 when the agent cannot take it, 422 when the key was used for another
 * request. {@code ?deadline=PT10M} (ISO-8601) bounds how long it stays deliverable.
 */
public final class AgentCommandRoutes {

  private final Dispatcher dispatcher;

  /** Largest command, as the agent receives it: it crosses nodes in one message. */
  private final long maxCommandBytes;

  private final DispatchSettings settings;
  private final ObjectMapper json;

  /** Seals the secret values of connection settings before they are stored. */
  private final ConnectionSecrets secrets;

  public AgentCommandRoutes(
      Dispatcher dispatcher,
      DispatchSettings settings,
      long maxCommandBytes,
      ObjectMapper json,
      ConnectionSecrets secrets) {
    this.secrets = secrets;
    this.dispatcher = dispatcher;
    this.maxCommandBytes = maxCommandBytes;
    this.settings = settings;
    this.json = json;
  }

  /**
   * Records that an operator's remote config overrides the agent's assignments; the answer waits
   * for it, so that an assignment applied after the 202 cannot replace the operator's config.
   */
  @FunctionalInterface
  public interface Overrides {
    CompletionStage<?> set(String instanceUid, java.util.UUID envelope, String actor);
  }

  private Overrides overrides = (uid, envelope, actor) -> CompletableFuture.completedFuture(null);

  /** The same routes, recording remote configs as overrides of assignments. */
  public AgentCommandRoutes overridingAssignments(Overrides overrides) {
    this.overrides = overrides;
    return this;
  }

  public Route route() {
    return pathPrefix(
        "agents",
        () ->
            pathPrefix(
                segment(),
                instanceUid ->
                    concat(
                        path(
                            "remote-config",
                            () ->
                                put(
                                    () ->
                                        entity(
                                            Jackson.unmarshaller(json, RemoteConfigRequest.class),
                                            request ->
                                                withValid(
                                                    request::validate,
                                                    () ->
                                                        dispatch(
                                                            instanceUid,
                                                            EnvelopeKind.REMOTE_CONFIG,
                                                            payload(request),
                                                            request.toMessage()))))),
                        path(
                            "connection-settings",
                            () ->
                                put(
                                    () ->
                                        entity(
                                            Jackson.unmarshaller(
                                                json, ConnectionSettingsRequest.class),
                                            request ->
                                                withValid(
                                                    () -> request.validate(secrets),
                                                    () ->
                                                        dispatch(
                                                            instanceUid,
                                                            EnvelopeKind.CONNECTION_SETTINGS,
                                                            payload(request.shown()),
                                                            request.toMessage(secrets)))))),
                        path(
                            "restart",
                            () ->
                                post(
                                    () ->
                                        dispatch(
                                            instanceUid, EnvelopeKind.RESTART, "{}", restart()))),
                        path(
                            "custom-messages",
                            () ->
                                post(
                                    () ->
                                        entity(
                                            Jackson.unmarshaller(json, CustomMessageRequest.class),
                                            request ->
                                                withValid(
                                                    request::validate,
                                                    () ->
                                                        dispatch(
                                                            instanceUid,
                                                            EnvelopeKind.CUSTOM_MESSAGE,
                                                            payload(request),
                                                            request.toMessage()))))))));
  }

  private static Route withValid(Supplier<String> validation, Supplier<Route> inner) {
    String problem = validation.get();
    return problem == null
        ? inner.get()
        : complete(Problem.response(StatusCodes.BAD_REQUEST, problem));
  }

  /**
   * Only agents Switchboard has seen can be addressed (the dispatcher checks); the entity then
   * decides.
   */
  private Route dispatch(
      String instanceUid, EnvelopeKind kind, String payload, ServerToAgent message) {
    if (message.getSerializedSize() > maxCommandBytes) {
      return complete(
          Problem.response(
              StatusCodes.PAYLOAD_TOO_LARGE,
              "the command is "
                  + message.getSerializedSize()
                  + " bytes as the agent receives it; the limit is "
                  + maxCommandBytes
                  + " (switchboard.api.max-config-size)"));
    }
    return withDeadline(
        deadline ->
            optionalHeaderValueByName(
                "Idempotency-Key",
                idempotencyKey ->
                    Operator.named(
                        operator ->
                            traced(
                                instanceUid,
                                kind,
                                parent ->
                                    onSuccess(
                                        endOnFailure(
                                                parent,
                                                dispatcher.submit(
                                                    new OperatorCommand(
                                                        instanceUid,
                                                        kind,
                                                        payload,
                                                        message,
                                                        idempotencyKey.orElse(null),
                                                        deadline,
                                                        operator),
                                                    parent))
                                            .thenCompose(
                                                submitted ->
                                                    overriding(
                                                        instanceUid, kind, submitted, operator)),
                                        this::answer)))));
  }

  /** An operator's remote config the agent took (or may still take) overrides its assignments. */
  private CompletionStage<Dispatcher.Submitted> overriding(
      String instanceUid, EnvelopeKind kind, Dispatcher.Submitted submitted, String operator) {
    if (kind == EnvelopeKind.REMOTE_CONFIG
        && submitted instanceof Dispatcher.Accepted accepted
        && accepted.envelope().state() != EnvelopeState.FAILED) {
      return overrides
          .set(instanceUid, accepted.envelope().id(), operator)
          .thenApply(written -> submitted);
    }
    return CompletableFuture.completedFuture(submitted);
  }

  /** A command that failed (the database down) still ends its span, as an error. */
  private static <T> CompletionStage<T> endOnFailure(Context parent, CompletionStage<T> stage) {
    return stage.whenComplete(
        (done, failure) -> {
          if (failure != null) {
            Span span = Span.fromContext(parent);
            span.recordException(failure);
            span.setStatus(StatusCode.ERROR, "the command could not be stored");
            span.end();
          }
        });
  }

  /**
   * With tracing on, the request is the command trace's server span (under the caller's own trace
   * when it sent a W3C {@code traceparent} header), ended with the answer's status.
   */
  private Route traced(String instanceUid, EnvelopeKind kind, Function<Context, Route> inner) {
    if (!dispatcher.tracing().enabled()) {
      return inner.apply(Context.root());
    }
    return optionalHeaderValueByName(
        "traceparent",
        traceparent -> {
          String method =
              kind == EnvelopeKind.REMOTE_CONFIG || kind == EnvelopeKind.CONNECTION_SETTINGS
                  ? "PUT"
                  : "POST";
          String route = "/api/agents/{id}/" + SEGMENTS.get(kind);
          Span span =
              dispatcher
                  .tracing()
                  .start(method + " " + route, SpanKind.SERVER, traceparent.orElse(null));
          span.setAttribute(TraceAttributes.HTTP_METHOD, method);
          span.setAttribute(TraceAttributes.HTTP_ROUTE, route);
          span.setAttribute(TraceAttributes.AGENT, instanceUid);
          span.setAttribute(TraceAttributes.KIND, kind.name());
          return mapResponse(
              response -> {
                span.setAttribute(TraceAttributes.HTTP_STATUS, (long) response.status().intValue());
                if (response.status().intValue() >= 500) {
                  span.setStatus(StatusCode.ERROR);
                }
                span.end();
                return response;
              },
              () -> inner.apply(Context.root().with(span)));
        });
  }

  private static final Map<EnvelopeKind, String> SEGMENTS =
      Map.of(
          EnvelopeKind.REMOTE_CONFIG, "remote-config",
          EnvelopeKind.CONNECTION_SETTINGS, "connection-settings",
          EnvelopeKind.RESTART, "restart",
          EnvelopeKind.CUSTOM_MESSAGE, "custom-messages");

  private Route withDeadline(Function<Duration, Route> inner) {
    return parameterOptional(
        "deadline",
        given -> {
          if (given.isEmpty()) {
            return inner.apply(settings.defaultDeadline());
          }
          Optional<Duration> deadline = parseDuration(given.get());
          if (deadline.isEmpty() || deadline.get().isNegative() || deadline.get().isZero()) {
            return complete(
                Problem.response(
                    StatusCodes.BAD_REQUEST,
                    "deadline must be a positive ISO-8601 duration such as PT10M"));
          }
          if (deadline.get().compareTo(settings.maxDeadline()) > 0) {
            return complete(
                Problem.response(
                    StatusCodes.BAD_REQUEST, "deadline may be at most " + settings.maxDeadline()));
          }
          return inner.apply(deadline.get());
        });
  }

  private Route answer(Dispatcher.Submitted submitted) {
    if (submitted instanceof Dispatcher.UnknownAgent unknown) {
      return complete(Problem.response(StatusCodes.NOT_FOUND, "no agent " + unknown.instanceUid()));
    }
    if (submitted instanceof Dispatcher.KeyReused reused) {
      return complete(
          Problem.response(
              StatusCodes.UNPROCESSABLE_ENTITY,
              "this Idempotency-Key was used for another request",
              Map.of("envelope", reused.existing().id().toString())));
    }
    Dispatcher.Accepted accepted = (Dispatcher.Accepted) submitted;
    if (accepted.replayed()) {
      return complete(
          StatusCodes.OK, EnvelopeView.of(accepted.envelope()), Jackson.marshaller(json));
    }
    if (accepted.envelope().state() == EnvelopeState.FAILED) {
      return complete(
          Problem.response(
              StatusCodes.CONFLICT,
              accepted.envelope().detail(),
              Map.of("envelope", accepted.envelope().id().toString())));
    }
    return complete(
        StatusCodes.ACCEPTED, EnvelopeView.of(accepted.envelope()), Jackson.marshaller(json));
  }

  private String payload(Object request) {
    try {
      return json.writeValueAsString(request);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a parsed request writes back as JSON", e);
    }
  }

  private static ServerToAgent restart() {
    return ServerToAgent.newBuilder()
        .setCommand(ServerToAgentCommand.newBuilder().setType(CommandType.CommandType_Restart))
        .build();
  }

  private static Optional<Duration> parseDuration(String text) {
    try {
      return Optional.of(Duration.parse(text));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
