package io.switchboard.gateway.limits;

import com.typesafe.config.Config;

/**
 * What every agent connection is held to, from {@code switchboard.opamp.limits} and {@code
 * switchboard.opamp.auth}.
 *
 * @param limits what one message may hold
 * @param messagesPerSecond messages one WebSocket connection may send, sustained
 * @param messageBurst messages it may send at once beyond that
 * @param refusalsBeforeClose messages refused in a row (over the rate or a limit) after which the
 *     connection is closed
 * @param certificateNamesAgent strict mode for client certificates: the instance_uid must be one
 *     the certificate names (its common name, or a {@code urn:uuid:} alternative name)
 */
public record SessionRules(
    MessageLimits limits,
    double messagesPerSecond,
    int messageBurst,
    int refusalsBeforeClose,
    boolean certificateNamesAgent) {

  public static SessionRules fromConfig(Config opamp) {
    Config limits = opamp.getConfig("limits");
    return new SessionRules(
        MessageLimits.fromConfig(limits),
        limits.getDouble("messages-per-second"),
        limits.getInt("message-burst"),
        limits.getInt("refusals-before-close"),
        opamp.getBoolean("auth.certificate-names-agent"));
  }
}
