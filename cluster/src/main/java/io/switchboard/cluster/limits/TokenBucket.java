package io.switchboard.cluster.limits;

import java.time.Duration;

/**
 * A rate limit: {@code perSecond} tokens a second, at most {@code burst} saved up. Thread-safe, so
 * one bucket can bound a whole node; an actor's own bucket costs an uncontended lock.
 */
public final class TokenBucket {

  private final double perNano;
  private final double capacity;
  private double tokens;
  private long refilledAt = System.nanoTime();

  public TokenBucket(double perSecond, double burst) {
    if (perSecond <= 0 || burst < 1) {
      throw new IllegalArgumentException(
          "a token bucket needs a positive rate and a burst of at least 1");
    }
    this.perNano = perSecond / 1e9;
    this.capacity = burst;
    this.tokens = burst;
  }

  /** Takes a token if there is one. */
  public synchronized boolean tryTake() {
    refill();
    if (tokens < 1) {
      return false;
    }
    tokens -= 1;
    return true;
  }

  /** How long until the next token, zero when one is there. */
  public synchronized Duration untilNext() {
    refill();
    return tokens >= 1 ? Duration.ZERO : Duration.ofNanos((long) Math.ceil((1 - tokens) / perNano));
  }

  private void refill() {
    long now = System.nanoTime();
    tokens = Math.min(capacity, tokens + (now - refilledAt) * perNano);
    refilledAt = now;
  }
}
