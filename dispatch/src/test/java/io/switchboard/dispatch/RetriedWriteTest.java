package io.switchboard.dispatch;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class RetriedWriteTest {

  private static final Duration FIRST = Duration.ofMillis(10);
  private static final Duration MAX = Duration.ofMillis(40);

  @Test
  void aWriteRefusedTwiceLandsOnTheThirdAttempt() {
    AtomicInteger attempts = new AtomicInteger();
    AtomicReference<Boolean> written = new AtomicReference<>();
    AtomicReference<Throwable> gaveUp = new AtomicReference<>();

    RetriedWrite.start(
        () ->
            attempts.incrementAndGet() <= 2
                ? CompletableFuture.failedFuture(
                    new IllegalStateException("connection acquisition timed out"))
                : CompletableFuture.completedFuture(true),
        FIRST,
        MAX,
        failures -> true,
        written::set,
        gaveUp::set);

    await().atMost(Duration.ofSeconds(10)).until(() -> written.get() != null);
    assertEquals(true, written.get());
    assertEquals(3, attempts.get());
    assertNull(gaveUp.get());
  }

  @Test
  void aWriteAlwaysRefusedGivesUpWhenThePolicySaysSoWithTheLastFailure() {
    AtomicInteger attempts = new AtomicInteger();
    AtomicReference<Throwable> gaveUp = new AtomicReference<>();

    RetriedWrite.<Boolean>start(
        () -> {
          int attempt = attempts.incrementAndGet();
          if (attempt == 2) {
            throw new IllegalStateException("pool closed");
          }
          return CompletableFuture.failedFuture(
              new IllegalStateException("refused, attempt " + attempt));
        },
        FIRST,
        MAX,
        failures -> failures < 4,
        written -> {
          throw new AssertionError("never written");
        },
        gaveUp::set);

    await().atMost(Duration.ofSeconds(10)).until(() -> gaveUp.get() != null);
    assertEquals(
        4, attempts.get(), "tried again after the first three failures, not after the fourth");
    assertEquals("refused, attempt 4", gaveUp.get().getMessage());
  }
}
