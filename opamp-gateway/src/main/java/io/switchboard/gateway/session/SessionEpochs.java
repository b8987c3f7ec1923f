package io.switchboard.gateway.session;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Issues connection epochs: strictly increasing on this node and anchored to wall-clock
 * microseconds, so that a reconnect landing on another node (with a roughly synchronised clock)
 * gets a newer epoch than the connection it replaces and fences it.
 */
public final class SessionEpochs {

  private final AtomicLong last = new AtomicLong();

  public long next() {
    long now = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
    return last.accumulateAndGet(now, (previous, clock) -> Math.max(previous + 1, clock));
  }
}
