package io.switchboard.gateway.websocket;

import com.typesafe.config.Config;

/**
 * Settings of the OpAMP endpoint, from {@code switchboard.opamp}.
 *
 * @param host            interface to bind
 * @param port            port to bind (4320 by default; 0 picks a free one)
 * @param maxMessageBytes largest WebSocket message accepted from an agent, header included
 * @param outboundBuffer  frames queued towards one agent before a non-reading agent is disconnected
 */
public record OpampGatewaySettings(String host, int port, long maxMessageBytes, int outboundBuffer) {

  public static OpampGatewaySettings fromConfig(Config switchboard) {
    Config opamp = switchboard.getConfig("opamp");
    return new OpampGatewaySettings(
        opamp.getString("host"),
        opamp.getInt("port"),
        opamp.getBytes("max-message-size"),
        opamp.getInt("outbound-buffer"));
  }
}
