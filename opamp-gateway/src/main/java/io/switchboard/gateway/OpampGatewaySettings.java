package io.switchboard.gateway;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * Settings of the OpAMP endpoint, from {@code switchboard.opamp}.
 *
 * @param host            interface to bind
 * @param port            port to bind (4320 by default; 0 picks a free one)
 * @param maxMessageBytes largest WebSocket message accepted from an agent, header included
 * @param outboundBuffer  frames queued towards one agent before a non-reading agent is disconnected
 * @param pollTimeout     how long an HTTP poll waits for the agent's entity before answering 503
 * @param admission       the overload-shedding limits ({@code switchboard.opamp.admission})
 * @param auth            the agent tokens ({@code switchboard.opamp.auth})
 */
public record OpampGatewaySettings(
    String host,
    int port,
    long maxMessageBytes,
    int outboundBuffer,
    Duration pollTimeout,
    Config admission,
    Config auth) {

  public static OpampGatewaySettings fromConfig(Config switchboard) {
    Config opamp = switchboard.getConfig("opamp");
    return new OpampGatewaySettings(
        opamp.getString("host"),
        opamp.getInt("port"),
        opamp.getBytes("max-message-size"),
        opamp.getInt("outbound-buffer"),
        opamp.getDuration("poll-timeout"),
        opamp.getConfig("admission"),
        opamp.getConfig("auth"));
  }
}
