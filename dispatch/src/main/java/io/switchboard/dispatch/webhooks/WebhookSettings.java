package io.switchboard.dispatch.webhooks;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * {@code switchboard.webhooks}: what endpoints may be registered, and how the webhook singleton
 * delivers (see reference.conf for each).
 */
public record WebhookSettings(
    boolean allowPlainHttp,
    Duration tick,
    Duration timeout,
    int perEndpoint,
    int batch,
    int maxAttempts,
    Duration initialBackoff,
    Duration maxBackoff,
    Duration agentCheckInterval,
    Duration agentEventWindow,
    int agentEventsPerCheck,
    Duration retention) {

  public static WebhookSettings fromConfig(Config switchboard) {
    Config webhooks = switchboard.getConfig("webhooks");
    return new WebhookSettings(
        webhooks.getBoolean("allow-plain-http"),
        webhooks.getDuration("tick"),
        webhooks.getDuration("timeout"),
        webhooks.getInt("per-endpoint-concurrency"),
        webhooks.getInt("batch"),
        webhooks.getInt("max-attempts"),
        webhooks.getDuration("initial-backoff"),
        webhooks.getDuration("max-backoff"),
        webhooks.getDuration("agent-check-interval"),
        webhooks.getDuration("agent-event-window"),
        webhooks.getInt("agent-events-per-check"),
        webhooks.getDuration("retention"));
  }

  /**
   * The wait before the attempt after {@code attempts} failed ones: the initial backoff doubled
   * each time, at most the maximum.
   */
  public Duration backoff(int attempts) {
    int doublings = Math.min(Math.max(attempts - 1, 0), 30);
    Duration wait = initialBackoff.multipliedBy(1L << doublings);
    return wait.compareTo(maxBackoff) > 0 ? maxBackoff : wait;
  }
}
