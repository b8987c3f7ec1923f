package io.switchboard.api.agents;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.entity;
import static org.apache.pekko.http.javadsl.server.Directives.onComplete;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.post;
import static org.apache.pekko.http.javadsl.server.Directives.put;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.api.Problem;
import io.switchboard.cluster.agent.AgentEntity;
import io.switchboard.cluster.agent.AgentRefs;
import io.switchboard.persistence.agents.AgentRepository;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Operator actions on one agent: {@code PUT /api/agents/{id}/remote-config}, {@code POST
 * /api/agents/{id}/restart} and {@code POST /api/agents/{id}/custom-messages}. Each is checked,
 * turned into a message for the agent's entity, and the entity's answer becomes 202 (accepted, with
 * what happened to it) or 409 (refused, with why).
 */
public final class AgentCommandRoutes {

  private final AgentRepository agents;
  private final AgentRefs entities;
  private final Duration askTimeout;
  private final ObjectMapper json;

  public AgentCommandRoutes(AgentRepository agents, AgentRefs entities, Duration askTimeout, ObjectMapper json) {
    this.agents = agents;
    this.entities = entities;
    this.askTimeout = askTimeout;
    this.json = json;
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
                                            request -> withValid(request::validate, () -> ask(instanceUid, request::toCommand))))),
                        path("restart", () -> post(() -> ask(instanceUid, AgentEntity.SendRestart::new))),
                        path(
                            "custom-messages",
                            () ->
                                post(
                                    () ->
                                        entity(
                                            Jackson.unmarshaller(json, CustomMessageRequest.class),
                                            request ->
                                                withValid(request::validate, () -> ask(instanceUid, request::toCommand))))))));
  }

  private static Route withValid(Supplier<String> validation, Supplier<Route> inner) {
    String problem = validation.get();
    return problem == null ? inner.get() : complete(Problem.response(StatusCodes.BAD_REQUEST, problem));
  }

  /** Only agents Switchboard has seen can be addressed; the entity then decides. */
  private Route ask(
      String instanceUid, Function<ActorRef<AgentEntity.OperatorReply>, AgentEntity.Command> command) {
    return onSuccess(
        agents.find(instanceUid),
        known ->
            known.isEmpty()
                ? complete(Problem.response(StatusCodes.NOT_FOUND, "no agent " + instanceUid))
                : onComplete(
                    entities.entityFor(instanceUid).ask(command::apply, askTimeout),
                    reply -> {
                      if (reply.isFailure()) {
                        return complete(
                            Problem.response(
                                StatusCodes.SERVICE_UNAVAILABLE, "the agent's state did not answer in time; retry"));
                      }
                      if (reply.get() instanceof AgentEntity.Refused refused) {
                        return complete(Problem.response(StatusCodes.CONFLICT, refused.reason()));
                      }
                      AgentEntity.Accepted accepted = (AgentEntity.Accepted) reply.get();
                      return complete(
                          StatusCodes.ACCEPTED, Map.of("outcome", accepted.outcome()), Jackson.marshaller(json));
                    }));
  }
}
