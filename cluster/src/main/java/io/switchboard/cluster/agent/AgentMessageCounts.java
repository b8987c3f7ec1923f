package io.switchboard.cluster.agent;

import io.switchboard.observability.SwitchboardMetrics;
import io.switchboard.opamp.proto.AgentToServer;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import kamon.metric.Counter;
import kamon.metric.Histogram;

/** Counts agent messages by kind, and how late heartbeating agents are. */
final class AgentMessageCounts {

  // Recorded for every agent message: looked up once, not per message.
  private static final Counter STATUS_MESSAGES = SwitchboardMetrics.agentMessages("status");
  private static final Counter HEARTBEAT_MESSAGES = SwitchboardMetrics.agentMessages("heartbeat");
  private static final Counter DISCONNECT_MESSAGES = SwitchboardMetrics.agentMessages("disconnect");
  private static final Counter CUSTOM_MESSAGES = SwitchboardMetrics.agentMessages("custom-message");
  private static final Histogram HEARTBEAT_LATENESS = SwitchboardMetrics.heartbeatLateness();

  private AgentMessageCounts() {}

  /**
   * Counts the message by kind and, for an agent that promised heartbeats, how much later than
   * {@code interval} it came after {@code previous} (only within a live session: a gap past the
   * heartbeat window is a reconnect, not a late beat).
   */
  static void count(
      AgentToServer message,
      Instant previous,
      Instant now,
      boolean heartbeats,
      Duration interval,
      Duration window) {
    if (message.hasAgentDisconnect()) {
      DISCONNECT_MESSAGES.increment();
    } else if (message.hasCustomMessage()) {
      CUSTOM_MESSAGES.increment();
    } else if (message.hasAgentDescription()
        || message.hasHealth()
        || message.hasEffectiveConfig()
        || message.hasRemoteConfigStatus()
        || message.hasPackageStatuses()
        || message.hasCustomCapabilities()) {
      STATUS_MESSAGES.increment();
    } else {
      HEARTBEAT_MESSAGES.increment();
    }
    long gapNanos = ChronoUnit.NANOS.between(previous, now);
    if (heartbeats && !previous.equals(Instant.EPOCH) && gapNanos <= window.toNanos()) {
      HEARTBEAT_LATENESS.record(Math.max(0, gapNanos - interval.toNanos()));
    }
  }
}
