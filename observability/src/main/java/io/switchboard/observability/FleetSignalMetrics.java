package io.switchboard.observability;

import java.util.List;
import kamon.Kamon;
import kamon.metric.Counter;
import kamon.metric.Histogram;
import kamon.metric.MeasurementUnit;

/**
 * The metrics of the fleet's signals: the fleet gauges one singleton computes from the database
 * (the node running it reports them; the others report none), and webhook deliveries.
 */
public final class FleetSignalMetrics {

  /** The outcomes of one webhook delivery attempt. */
  public static final List<String> OUTCOMES = List.of("delivered", "retried", "gave-up");

  private FleetSignalMetrics() {}

  /** Counters at 0 from the start, as {@link SwitchboardMetrics#registerKnownSeries()} does. */
  public static void registerKnownSeries() {
    OUTCOMES.forEach(outcome -> webhookAttempts(outcome).increment(0));
    webhookAgentEventsQueued().increment(0);
  }

  /** Agents by connection state ({@code state}: connected, disconnected). */
  public static TransientGauge fleetAgents() {
    return TransientGauge.named(
        "switchboard_fleet_agents", "Agents by connection state, across the cluster");
  }

  /** Agents by reported health ({@code health}: healthy, unhealthy, unknown). */
  public static TransientGauge fleetAgentsByHealth() {
    return TransientGauge.named(
        "switchboard_fleet_agents_health", "Agents by reported health, across the cluster");
  }

  /** Agents by drift ({@code drift}: in-sync, drifted, unmanaged). */
  public static TransientGauge fleetAgentsByDrift() {
    return TransientGauge.named(
        "switchboard_fleet_agents_drift",
        "Agents by whether they run the config operators sent, across the cluster");
  }

  /** Agents by service.version ({@code version}: the top ones, the rest as other). */
  public static TransientGauge fleetAgentsByVersion() {
    return TransientGauge.named(
        "switchboard_fleet_agents_version", "Agents by agent version (top N, the rest as other)");
  }

  /** Attempts to deliver a webhook event, by outcome (delivered, retried, gave-up). */
  public static Counter webhookAttempts(String outcome) {
    return Kamon.counter("switchboard.webhook.attempts", "Webhook delivery attempts by outcome")
        .withTag("outcome", outcome);
  }

  /**
   * Webhook deliveries the webhook singleton queued for agent events (rollout events are queued
   * with the state change, in SQL).
   */
  public static Counter webhookAgentEventsQueued() {
    return Kamon.counter(
            "switchboard.webhook.agent.events.queued", "Webhook deliveries queued for agent events")
        .withoutTags();
  }

  /** Time of one webhook delivery attempt, until the endpoint answered or the attempt failed. */
  public static Histogram webhookAttemptDuration() {
    return Kamon.histogram(
            "switchboard.webhook.attempt.duration",
            "Duration of one webhook delivery attempt",
            MeasurementUnit.time().nanoseconds())
        .withoutTags();
  }
}
