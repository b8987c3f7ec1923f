package io.switchboard.gateway.session;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Sent to every session when the node is leaving (a rolling restart, a scale-down): each tells its
 * agent to come back after {@code retryAfter} plus a random part up to {@code spread}, then closes,
 * so the node's agents return to the other nodes in waves rather than all in the same second.
 */
public record NodeDraining(Duration retryAfter, Duration spread) {

  /** This agent's delay: the base plus its own random share of the spread. */
  Duration delayForOneAgent() {
    long spreadMillis = spread.toMillis();
    return retryAfter.plusMillis(
        spreadMillis == 0 ? 0 : ThreadLocalRandom.current().nextLong(spreadMillis + 1));
  }
}
