package io.switchboard.gateway.session;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Issues connection epochs: strictly increasing on this node and anchored to wall-clock
 * microseconds, so they read as a time in logs and state. An epoch names a session; it does not
 * decide which of two sessions is newer across nodes (their clocks may disagree): the agent's
 * entity decides that by the order in which sessions reach it.
 */
public final class SessionEpochs {

  private final AtomicLong last = new AtomicLong();

  public long next() {
    long now = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
    return last.accumulateAndGet(now, (previous, clock) -> Math.max(previous + 1, clock));
  }
}
