package io.switchboard.gateway;

import com.typesafe.config.Config;
import io.switchboard.gateway.admission.AdmissionControl;
import io.switchboard.gateway.auth.AgentTokens;
import io.switchboard.gateway.limits.SessionRules;
import io.switchboard.gateway.session.NodeDraining;
import io.switchboard.gateway.tls.OpampTls;
import java.time.Duration;
import java.util.Optional;

/**
 * Settings of the OpAMP endpoint, from {@code switchboard.opamp}, read once.
 *
 * @param host interface to bind
 * @param port port to bind (4320 by default; 0 picks a free one)
 * @param maxMessageBytes largest WebSocket message accepted from an agent, header included
 * @param outboundBuffer frames queued towards one agent before a non-reading agent is disconnected
 * @param pollTimeout how long an HTTP poll waits for the agent's entity before answering 503
 * @param admission the overload-shedding limits ({@code switchboard.opamp.admission})
 * @param tokens the agent tokens ({@code switchboard.opamp.auth})
 * @param tls TLS on the OpAMP port, when key material is configured ({@code switchboard.opamp.tls})
 * @param drain what a leaving node tells its agents ({@code switchboard.opamp.drain})
 * @param rules what every agent connection is held to ({@code switchboard.opamp.limits})
 */
public record OpampGatewaySettings(
    String host,
    int port,
    long maxMessageBytes,
    int outboundBuffer,
    Duration pollTimeout,
    AdmissionControl.Settings admission,
    AgentTokens tokens,
    Optional<OpampTls.Settings> tls,
    NodeDraining drain,
    SessionRules rules) {

  public static OpampGatewaySettings fromConfig(Config switchboard) {
    Config opamp = switchboard.getConfig("opamp");
    return new OpampGatewaySettings(
        opamp.getString("host"),
        opamp.getInt("port"),
        opamp.getBytes("max-message-size"),
        opamp.getInt("outbound-buffer"),
        opamp.getDuration("poll-timeout"),
        AdmissionControl.Settings.fromConfig(opamp.getConfig("admission")),
        AgentTokens.fromConfig(opamp.getConfig("auth")),
        OpampTls.Settings.fromConfig(opamp.getConfig("tls")),
        new NodeDraining(opamp.getDuration("drain.retry-after"), opamp.getDuration("drain.spread")),
        SessionRules.fromConfig(opamp));
  }

  /** Whether agents must prove who they are (a fleet token, or a client certificate) to connect. */
  public boolean authenticatesAgents() {
    return tokens.required()
        || tls.map(settings -> settings.clientAuth() == OpampTls.ClientAuth.NEED).orElse(false);
  }
}
