package io.switchboard.gateway;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.optionalAttribute;
import static org.apache.pekko.http.javadsl.server.Directives.optionalHeaderValueByName;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.switchboard.cluster.agent.AgentRefs;
import io.switchboard.gateway.admission.AdmissionControl;
import io.switchboard.gateway.auth.AgentCredential;
import io.switchboard.gateway.auth.AgentTokens;
import io.switchboard.gateway.certificates.AgentCertificateAuthority;
import io.switchboard.gateway.http.OpampHttpRoute;
import io.switchboard.gateway.session.LiveSessions;
import io.switchboard.gateway.websocket.OpampWebSocketRoute;
import io.switchboard.observability.SwitchboardMetrics;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.SslSessionInfo;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.HttpChallenge;
import org.apache.pekko.http.javadsl.model.headers.WWWAuthenticate;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /v1/opamp}: WebSocket upgrades and plain HTTP polls on the same path, behind the optional
 * agent token check. What the connection's credential proves (a client certificate, a fleet's
 * token) goes with every message to the agent's entity, which binds the agent's identity to it.
 */
public final class OpampEndpoint {

  private OpampEndpoint() {}

  public static Route route(
      ActorSystem<?> system,
      OpampGatewaySettings settings,
      String nodeName,
      AgentRefs entities,
      LiveSessions liveSessions) {
    return route(system, settings, nodeName, entities, liveSessions, Optional.empty());
  }

  /** With the server's own CA for agents: its certificates prove {@code issued:<uid>}. */
  public static Route route(
      ActorSystem<?> system,
      OpampGatewaySettings settings,
      String nodeName,
      AgentRefs entities,
      LiveSessions liveSessions,
      Optional<AgentCertificateAuthority> ca) {
    AdmissionControl admission = AdmissionControl.of(settings.admission());
    OpampWebSocketRoute webSocket =
        new OpampWebSocketRoute(
            system,
            settings.maxMessageBytes(),
            settings.outboundBuffer(),
            settings.rules(),
            nodeName,
            entities,
            admission,
            liveSessions);
    OpampHttpRoute http =
        new OpampHttpRoute(
            settings.maxMessageBytes(),
            settings.rules(),
            settings.pollTimeout(),
            nodeName,
            entities,
            admission);
    AgentTokens tokens = settings.tokens();
    if (!settings.authenticatesAgents()) {
      system
          .log()
          .warn(
              "The OpAMP endpoint accepts agents WITHOUT authentication: anyone who reaches it can report as any"
                  + " agent and take its configuration. Set SWITCHBOARD_OPAMP_AUTH_TOKEN (or per-fleet tokens) or"
                  + " require client certificates (SWITCHBOARD_OPAMP_TLS_CLIENT_AUTH=need); see docs/security.md.");
    }
    // In Java, path("v1/opamp") would look for one segment containing a slash.
    return path(
        segment("v1").slash("opamp"),
        () ->
            optionalAttribute(
                AttributeKeys.sslSession,
                tls ->
                    optionalHeaderValueByName(
                        "Authorization",
                        authorization -> {
                          Optional<String> fleet = tokens.fleetFor(authorization);
                          if (fleet.isEmpty()) {
                            return unauthorized();
                          }
                          AgentCredential credential =
                              credential(tls, tokens.required() ? fleet : Optional.empty(), ca);
                          if (credential == null) {
                            return unauthorized();
                          }
                          return concat(webSocket.route(credential), http.route(credential));
                        })));
  }

  /**
   * What the connection proves: its client certificate when it has one (chained to a trusted CA, or
   * TLS would have refused it), else the fleet whose token it carries, else nothing; null for a
   * certificate of the server's CA that was revoked.
   */
  private static AgentCredential credential(
      Optional<SslSessionInfo> tls,
      Optional<String> fleet,
      Optional<AgentCertificateAuthority> ca) {
    if (tls.isPresent()) {
      try {
        Certificate[] chain = tls.get().getSession().getPeerCertificates();
        if (chain.length > 0 && chain[0] instanceof X509Certificate certificate) {
          if (ca.isPresent() && ca.get().issued(certificate)) {
            // A resumed TLS session skips the handshake's check: revoked ones are refused here.
            return ca.get().isRevoked(certificate) ? null : AgentCredential.issued(certificate);
          }
          return AgentCredential.certificate(certificate);
        }
      } catch (SSLPeerUnverifiedException noCertificate) {
        // TLS without a client certificate: the token, if any, is the credential.
      }
    }
    return fleet.map(AgentCredential::token).orElse(AgentCredential.NONE);
  }

  /**
   * Refused before any upgrade or parsing: the agent learns nothing but that it must authenticate.
   */
  private static Route unauthorized() {
    SwitchboardMetrics.agentAuthFailures().increment();
    return complete(
        HttpResponse.create()
            .withStatus(StatusCodes.UNAUTHORIZED)
            .addHeader(WWWAuthenticate.create(HttpChallenge.create("Bearer", "opamp")))
            .withEntity("missing or invalid agent token"));
  }
}
