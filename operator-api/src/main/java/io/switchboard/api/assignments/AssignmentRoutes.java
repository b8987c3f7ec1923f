package io.switchboard.api.assignments;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.delete;
import static org.apache.pekko.http.javadsl.server.Directives.entity;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathEnd;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.post;
import static org.apache.pekko.http.javadsl.server.Directives.put;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.api.http.Json;
import io.switchboard.api.http.Operator;
import io.switchboard.api.http.Problem;
import io.switchboard.dispatch.assignment.Assignments;
import io.switchboard.dispatch.assignment.SelectorJson;
import io.switchboard.persistence.agents.AgentRepository;
import io.switchboard.persistence.assignments.Assignment;
import io.switchboard.persistence.assignments.AssignmentStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /api/assignments} (list, read, create, change, delete) and {@code DELETE
 * /api/agents/{id}/remote-config}, which clears an agent's override so that its winning assignment
 * applies again.
 */
public final class AssignmentRoutes {

  private final Assignments assignments;
  private final AssignmentStore store;
  private final AgentRepository agents;
  private final ObjectMapper json;

  public AssignmentRoutes(
      Assignments assignments, AssignmentStore store, AgentRepository agents, ObjectMapper json) {
    this.assignments = assignments;
    this.store = store;
    this.agents = agents;
    this.json = json;
  }

  public Route route() {
    return concat(
        pathPrefix(
            "assignments",
            () ->
                concat(
                    pathEnd(() -> concat(get(this::list), post(this::create))),
                    pathPrefix(segment(), this::assignment))),
        pathPrefix(
            "agents",
            () ->
                pathPrefix(
                    segment(),
                    instanceUid ->
                        path("remote-config", () -> delete(() -> clearOverride(instanceUid))))));
  }

  private Route list() {
    return onSuccess(
        store.list().thenCompose(this::views),
        views -> Json.respond(json, StatusCodes.OK, Map.of("assignments", views)));
  }

  private CompletionStage<List<AssignmentView>> views(List<Assignment> all) {
    CompletionStage<List<AssignmentView>> views =
        CompletableFuture.completedFuture(new ArrayList<>());
    for (Assignment assignment : all) {
      views =
          views.thenCompose(
              sofar ->
                  view(assignment)
                      .thenApply(
                          view -> {
                            sofar.add(view);
                            return sofar;
                          }));
    }
    return views;
  }

  private CompletionStage<AssignmentView> view(Assignment assignment) {
    return agents
        .count(SelectorJson.read(readTree(assignment.selectorJson())))
        .thenApply(matched -> AssignmentView.of(assignment, matched, json));
  }

  private Route assignment(String name) {
    return pathEnd(
        () ->
            concat(
                get(
                    () ->
                        onSuccess(
                            store.find(name),
                            found ->
                                found.isEmpty()
                                    ? notFound(name)
                                    : answer(found.get(), StatusCodes.OK))),
                put(() -> change(name)),
                delete(
                    () ->
                        Operator.named(
                            actor ->
                                onSuccess(
                                    assignments.delete(name, actor),
                                    deleted ->
                                        deleted
                                            ? complete(StatusCodes.NO_CONTENT)
                                            : notFound(name))))));
  }

  private Route create() {
    return Operator.named(
        actor ->
            entity(
                Jackson.unmarshaller(json, AssignmentRequests.Create.class),
                request -> {
                  String problem = request.problem();
                  if (problem != null) {
                    return complete(Problem.response(StatusCodes.BAD_REQUEST, problem));
                  }
                  return outcome(
                      assignments.create(
                          new Assignments.Create(
                              request.name(),
                              request.configuration(),
                              request.version(),
                              request.selector().toSelector(),
                              request.priority() == null ? 0 : request.priority(),
                              request.description() == null ? "" : request.description(),
                              actor,
                              request.packages())),
                      StatusCodes.CREATED);
                }));
  }

  private Route change(String name) {
    return Operator.named(
        actor ->
            entity(
                Jackson.unmarshaller(json, AssignmentRequests.Change.class),
                request -> {
                  String problem = request.problem();
                  if (problem != null) {
                    return complete(Problem.response(StatusCodes.BAD_REQUEST, problem));
                  }
                  return outcome(
                      assignments.update(
                          name,
                          new Assignments.Change(
                              request.version(),
                              request.priority(),
                              request.selector() == null ? null : request.selector().toSelector(),
                              request.description(),
                              request.strategy(),
                              request.gates(),
                              actor,
                              request.packages())),
                      StatusCodes.OK);
                }));
  }

  private Route clearOverride(String instanceUid) {
    return Operator.named(
        actor ->
            onSuccess(
                agents.find(instanceUid),
                agent ->
                    agent.isEmpty()
                        ? complete(
                            Problem.response(StatusCodes.NOT_FOUND, "no agent " + instanceUid))
                        : onSuccess(
                            assignments.clearOverride(instanceUid, actor),
                            cleared -> complete(StatusCodes.NO_CONTENT))));
  }

  private Route outcome(CompletionStage<Assignments.Outcome> outcome, StatusCode success) {
    return onSuccess(
        outcome,
        result -> {
          if (result instanceof Assignments.Refused refused) {
            return complete(Problem.response(StatusCodes.get(refused.status()), refused.detail()));
          }
          return answer(((Assignments.Done) result).assignment(), success);
        });
  }

  private Route answer(Assignment assignment, StatusCode status) {
    return onSuccess(view(assignment), view -> Json.respond(json, status, view));
  }

  private static Route notFound(String name) {
    return complete(Problem.response(StatusCodes.NOT_FOUND, "no assignment " + name));
  }

  private com.fasterxml.jackson.databind.JsonNode readTree(String text) {
    try {
      return json.readTree(text);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("a stored selector is JSON", e);
    }
  }
}
