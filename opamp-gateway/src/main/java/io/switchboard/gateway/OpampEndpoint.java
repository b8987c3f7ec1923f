package io.switchboard.gateway;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.optionalHeaderValueByName;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.switchboard.cluster.agent.AgentRefs;
import io.switchboard.gateway.admission.AdmissionControl;
import io.switchboard.gateway.auth.AgentTokens;
import io.switchboard.gateway.http.OpampHttpRoute;
import io.switchboard.gateway.session.LiveSessions;
import io.switchboard.gateway.websocket.OpampWebSocketRoute;
import io.switchboard.observability.SwitchboardMetrics;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.HttpChallenge;
import org.apache.pekko.http.javadsl.model.headers.WWWAuthenticate;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /v1/opamp}: WebSocket upgrades and plain HTTP polls on the same path, behind the optional
 * agent token check.
 */
public final class OpampEndpoint {

  private OpampEndpoint() {}

  public static Route route(
      ActorSystem<?> system,
      OpampGatewaySettings settings,
      String nodeName,
      AgentRefs entities,
      LiveSessions liveSessions) {
    AdmissionControl admission = AdmissionControl.of(settings.admission());
    OpampWebSocketRoute webSocket = new OpampWebSocketRoute(system, settings, nodeName, entities, admission, liveSessions);
    OpampHttpRoute http =
        new OpampHttpRoute(settings.maxMessageBytes(), settings.pollTimeout(), nodeName, entities, admission);
    AgentTokens tokens = settings.tokens();
    // In Java, path("v1/opamp") would look for one segment containing a slash.
    return path(
        segment("v1").slash("opamp"),
        () ->
            optionalHeaderValueByName(
                "Authorization",
                authorization ->
                    tokens.fleetFor(authorization).isPresent()
                        ? concat(webSocket.route(), http.route())
                        : unauthorized()));
  }

  /** Refused before any upgrade or parsing: the agent learns nothing but that it must authenticate. */
  private static Route unauthorized() {
    SwitchboardMetrics.agentAuthFailures().increment();
    return complete(
        HttpResponse.create()
            .withStatus(StatusCodes.UNAUTHORIZED)
            .addHeader(WWWAuthenticate.create(HttpChallenge.create("Bearer", "opamp")))
            .withEntity("missing or invalid agent token"));
  }
}
