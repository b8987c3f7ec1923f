package io.switchboard.fleetsim;

import java.time.Duration;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Reconnect delays. Without word from the server: exponential backoff with "equal jitter" (a random
 * point in the upper half of the current step), so a fleet that lost its server at the same moment
 * does not come back in one burst. When the server named a retry-after (an Unavailable error
 * response, or 503 with Retry-After), that is the floor, plus up to half a step of jitter.
 */
public final class Backoff {

  /**
   * First step 1 s, doubling up to 60 s: quick recovery from a blip, a calm retry rate when down.
   */
  public static final Backoff DEFAULT = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60));

  private final Duration min;
  private final Duration max;

  public Backoff(Duration min, Duration max) {
    if (min.isZero() || min.isNegative() || max.compareTo(min) < 0) {
      throw new IllegalArgumentException(
          "backoff needs 0 < min <= max, got " + min + " and " + max);
    }
    this.min = min;
    this.max = max;
  }

  /**
   * The wait before the next attempt.
   *
   * @param failures attempts failed in a row since the last good connection (1 for the first)
   * @param retryAfter what the server asked for, if anything
   */
  public Duration delay(int failures, Optional<Duration> retryAfter, RandomGenerator random) {
    long step = step(failures).toNanos();
    if (retryAfter.isPresent()) {
      return retryAfter.get().plusNanos(random.nextLong(step / 2 + 1));
    }
    return Duration.ofNanos(step / 2 + random.nextLong(step - step / 2 + 1));
  }

  /** min * 2^(failures - 1), capped at max. */
  Duration step(int failures) {
    int doublings = Math.max(0, Math.min(failures - 1, 62));
    long nanos = min.toNanos();
    for (int i = 0; i < doublings && nanos < max.toNanos(); i++) {
      nanos *= 2;
    }
    return nanos < max.toNanos() ? Duration.ofNanos(nanos) : max;
  }
}
