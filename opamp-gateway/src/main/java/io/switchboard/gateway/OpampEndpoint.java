package io.switchboard.gateway;

import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.switchboard.gateway.admission.AdmissionControl;
import io.switchboard.gateway.http.OpampHttpRoute;
import io.switchboard.gateway.session.AgentSession;
import io.switchboard.gateway.websocket.OpampWebSocketRoute;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.server.Route;

/** {@code /v1/opamp}: WebSocket upgrades and plain HTTP polls on the same path. */
public final class OpampEndpoint {

  private OpampEndpoint() {}

  public static Route route(
      ActorSystem<?> system, OpampGatewaySettings settings, String nodeName, AgentSession.EntityResolver entities) {
    AdmissionControl admission = AdmissionControl.fromConfig(settings.admission());
    OpampWebSocketRoute webSocket = new OpampWebSocketRoute(system, settings, nodeName, entities, admission);
    OpampHttpRoute http =
        new OpampHttpRoute(settings.maxMessageBytes(), settings.pollTimeout(), nodeName, entities, admission);
    // In Java, path("v1/opamp") would look for one segment containing a slash.
    return path(segment("v1").slash("opamp"), () -> concat(webSocket.route(), http.route()));
  }
}
