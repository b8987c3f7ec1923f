package io.switchboard.api.rollouts;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.entity;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathEnd;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.post;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.api.http.Json;
import io.switchboard.api.http.Operator;
import io.switchboard.api.http.Problem;
import io.switchboard.api.http.QueryParameters;
import io.switchboard.dispatch.components.ComponentCheck;
import io.switchboard.dispatch.rollout.Gates;
import io.switchboard.dispatch.rollout.Rollouts;
import io.switchboard.dispatch.rollout.Strategy;
import io.switchboard.persistence.agents.AgentRepository;
import io.switchboard.persistence.components.ComponentStore;
import io.switchboard.persistence.rollouts.Rollout;
import io.switchboard.persistence.rollouts.RolloutStore;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /api/rollouts} (create, list, read with per-batch progress; pause, resume, abort,
 * rollback), {@code POST /api/assignments} (a version to every agent a selector matches, at once),
 * and {@code POST /api/selectors/preview} (how many agents a selector matches now).
 */
public final class RolloutRoutes {

  record RolloutRequest(
      @JsonProperty("configuration") String configuration,
      @JsonProperty("version") Integer version,
      @JsonProperty("selector") SelectorBody selector,
      @JsonProperty("strategy") Strategy strategy,
      @JsonProperty("gates") Gates gates,
      @JsonProperty("force") Boolean force) {

    String problem() {
      if (configuration == null || version == null) {
        return "configuration and version are required";
      }
      if (selector == null) {
        return "selector is required ({} selects every agent)";
      }
      if (strategy != null && strategy.problem() != null) {
        return strategy.problem();
      }
      return gates == null ? null : gates.problem();
    }
  }

  private final Rollouts rollouts;
  private final RolloutStore store;
  private final AgentRepository agents;
  private final ObjectMapper json;

  public RolloutRoutes(
      Rollouts rollouts, RolloutStore store, AgentRepository agents, ObjectMapper json) {
    this.rollouts = rollouts;
    this.store = store;
    this.agents = agents;
    this.json = json;
  }

  public Route route() {
    return concat(
        pathPrefix(
            "rollouts",
            () ->
                concat(
                    pathEnd(
                        () ->
                            concat(
                                get(
                                    () ->
                                        onSuccess(
                                            store.list(100),
                                            all ->
                                                Json.respond(
                                                    json,
                                                    StatusCodes.OK,
                                                    Map.of(
                                                        "rollouts",
                                                        all.stream()
                                                            .map(
                                                                rollout ->
                                                                    RolloutView.summary(
                                                                        rollout, json))
                                                            .toList())))),
                                post(() -> create(false)))),
                    pathPrefix(segment(), this::rollout))),
        path("assignments", () -> post(() -> create(true))),
        pathPrefix(
            "selectors",
            () ->
                path(
                    "preview",
                    () ->
                        post(
                            () ->
                                entity(
                                    Jackson.unmarshaller(json, SelectorBody.class),
                                    this::preview)))));
  }

  private Route preview(SelectorBody selector) {
    String problem = selector.problem();
    if (problem != null) {
      return complete(Problem.response(StatusCodes.BAD_REQUEST, problem));
    }
    return onSuccess(
        agents.matching(selector.toSelector()),
        matching -> Json.respond(json, StatusCodes.OK, Map.of("matching", matching.size())));
  }

  /** An assignment is a rollout of one batch: every matching agent at once. */
  private Route create(boolean assignment) {
    return Operator.named(
        actor ->
            entity(
                Jackson.unmarshaller(json, RolloutRequest.class),
                request -> {
                  String problem = request.problem();
                  if (problem == null && request.selector() != null) {
                    problem = request.selector().problem();
                  }
                  if (problem != null) {
                    return complete(Problem.response(StatusCodes.BAD_REQUEST, problem));
                  }
                  Strategy strategy =
                      assignment || request.strategy() == null
                          ? Strategy.ALL_AT_ONCE
                          : request.strategy();
                  Gates gates =
                      request.gates() == null ? new Gates(null, null, null) : request.gates();
                  return answer(
                      rollouts.create(
                          new Rollouts.Request(
                              request.configuration(),
                              request.version(),
                              request.selector().toSelector(),
                              strategy,
                              gates,
                              actor,
                              Boolean.TRUE.equals(request.force()))),
                      StatusCodes.CREATED);
                }));
  }

  private Route rollout(String id) {
    UUID rollout;
    try {
      rollout = QueryParameters.uuid("rollout id", id);
    } catch (IllegalArgumentException e) {
      return complete(Problem.response(StatusCodes.BAD_REQUEST, e.getMessage()));
    }
    return concat(
        pathEnd(
            () ->
                get(
                    () ->
                        onSuccess(
                            store.find(rollout),
                            found ->
                                found.isEmpty()
                                    ? complete(
                                        Problem.response(StatusCodes.NOT_FOUND, "no rollout " + id))
                                    : withProgress(found.get())))),
        action("pause", rollout, rollouts::pause),
        action("resume", rollout, rollouts::resume),
        action("abort", rollout, rollouts::abort),
        action("rollback", rollout, rollouts::rollback));
  }

  private Route action(
      String name, UUID rollout, BiFunction<UUID, String, CompletionStage<Rollouts.Outcome>> act) {
    return path(
        name,
        () ->
            post(() -> Operator.named(actor -> answer(act.apply(rollout, actor), StatusCodes.OK))));
  }

  private Route answer(CompletionStage<Rollouts.Outcome> outcome, StatusCode success) {
    return onSuccess(
        outcome,
        result -> {
          if (result instanceof Rollouts.Refused refused) {
            return complete(Problem.response(StatusCodes.get(refused.status()), refused.detail()));
          }
          if (result instanceof Rollouts.MissingComponents missing) {
            return complete(missingComponents(missing.result()));
          }
          Rollouts.Done done = (Rollouts.Done) result;
          return onSuccess(
              store.progress(done.rollout().id()),
              progress ->
                  Json.respond(json, success, RolloutView.of(done.rollout(), progress, json)));
        });
  }

  /**
   * 409 naming the agents that lack components (the first ones; {@code agents_missing_components}
   * counts them all) and what each lacks; {@code "force": true} creates the rollout anyway.
   */
  private HttpResponse missingComponents(ComponentCheck.Result check) {
    String detail = check.summary() + "; send \"force\": true to roll it out anyway";
    ObjectNode members = json.createObjectNode();
    members.put("error", detail);
    ArrayNode agents = members.putArray("missing_components");
    for (ComponentStore.AgentMissing agent : check.missing()) {
      ObjectNode entry = agents.addObject().put("agent", agent.instanceUid());
      agent.missing().forEach(entry.putArray("missing")::add);
    }
    members.put("agents_missing_components", check.agentsMissing());
    return Problem.response(StatusCodes.CONFLICT, detail, members);
  }

  private Route withProgress(Rollout rollout) {
    return onSuccess(
        store.progress(rollout.id()),
        progress -> Json.respond(json, StatusCodes.OK, RolloutView.of(rollout, progress, json)));
  }
}
