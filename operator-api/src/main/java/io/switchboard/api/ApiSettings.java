package io.switchboard.api;

import com.typesafe.config.Config;
import io.switchboard.opamp.ConnectionSecrets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Settings of the operator API, from {@code switchboard.api}.
 *
 * @param host interface to bind
 * @param port port to bind (8080 by default; 0 picks a free one)
 * @param maxPageSize largest page a list call returns
 * @param askTimeout how long an operator command waits for the agent's entity
 * @param liveInterval how often the dashboard's live updates are polled and sent
 * @param maxConfigBytes largest config an operator may send an agent, as the agent receives it
 * @param viewerRedactedKeys keys whose values a VIEWER sees redacted in effective configs
 * @param maxConnectionsPerClient connections one client address may hold open to the API at once
 * @param webhooksAllowPlainHttp whether webhooks may have http:// endpoints ({@code
 *     switchboard.webhooks.allow-plain-http})
 * @param secrets seals secret values of connection settings ({@code switchboard.secrets})
 */
public record ApiSettings(
    String host,
    int port,
    int maxPageSize,
    Duration askTimeout,
    Duration liveInterval,
    long maxConfigBytes,
    List<String> viewerRedactedKeys,
    int maxConnectionsPerClient,
    boolean webhooksAllowPlainHttp,
    ConnectionSecrets secrets) {

  public static ApiSettings fromConfig(Config switchboard) {
    Config api = switchboard.getConfig("api");
    return new ApiSettings(
        api.getString("host"),
        api.getInt("port"),
        api.getInt("max-page-size"),
        api.getDuration("ask-timeout"),
        api.getDuration("live-interval"),
        api.getBytes("max-config-size"),
        Arrays.stream(api.getString("viewer-redacted-keys").split("[,\\s]+"))
            .filter(key -> !key.isBlank())
            .toList(),
        api.getInt("max-connections-per-client"),
        switchboard.getBoolean("webhooks.allow-plain-http"),
        ConnectionSecrets.configured(
            switchboard.getString("secrets.key"), switchboard.getString("secrets.key-file")));
  }
}
