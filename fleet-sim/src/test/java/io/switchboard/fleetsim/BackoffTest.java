package io.switchboard.fleetsim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BackoffTest {

  private final Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60));
  private final SplittableRandom random = new SplittableRandom(42);

  @Test
  void aServersRetryAfterIsTheFloorWithAtMostHalfAStepOfJitter() {
    Duration retryAfter = Duration.ofSeconds(30);
    for (int failures = 1; failures <= 10; failures++) {
      for (int i = 0; i < 100; i++) {
        Duration delay = backoff.delay(failures, Optional.of(retryAfter), random);
        assertTrue(
            delay.compareTo(retryAfter) >= 0, () -> delay + " is earlier than the retry-after");
        Duration latest = retryAfter.plus(backoff.step(failures).dividedBy(2));
        assertTrue(delay.compareTo(latest) <= 0, () -> delay + " is later than " + latest);
      }
    }
  }

  @Test
  void aRetryAfterLongerThanTheBackoffCapIsStillHonoured() {
    Duration retryAfter = Duration.ofMinutes(5);
    assertTrue(backoff.delay(1, Optional.of(retryAfter), random).compareTo(retryAfter) >= 0);
  }

  @Test
  void withoutRetryAfterTheDelayDoublesPerFailureUpToTheCap() {
    assertEquals(Duration.ofSeconds(1), backoff.step(1));
    assertEquals(Duration.ofSeconds(2), backoff.step(2));
    assertEquals(Duration.ofSeconds(32), backoff.step(6));
    assertEquals(Duration.ofSeconds(60), backoff.step(7));
    assertEquals(Duration.ofSeconds(60), backoff.step(1_000));
    for (int failures = 1; failures <= 12; failures++) {
      Duration step = backoff.step(failures);
      for (int i = 0; i < 100; i++) {
        Duration delay = backoff.delay(failures, Optional.empty(), random);
        assertTrue(
            delay.compareTo(step.dividedBy(2)) >= 0 && delay.compareTo(step) <= 0,
            delay + " is outside the upper half of the step " + step);
      }
    }
  }

  @Test
  void agentsFailingTogetherDoNotRetryTogether() {
    Set<Duration> delays = new HashSet<>();
    for (int agent = 0; agent < 100; agent++) {
      delays.add(backoff.delay(3, Optional.empty(), random));
    }
    assertTrue(delays.size() > 90, "only " + delays.size() + " distinct delays for 100 agents");
  }
}
