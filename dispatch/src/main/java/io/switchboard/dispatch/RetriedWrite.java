package io.switchboard.dispatch;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A database write that is tried again, with a growing delay, until it lands or {@code mayRetry}
 * says no more. For the envelope ledger's writes: they only ever move an envelope forward, so
 * trying one again is harmless, and one lost to a database outage closed an applied envelope as
 * expired once its deadline passed.
 */
final class RetriedWrite<T> {

  /** Whether a write that has failed {@code failures} times may be tried again. */
  @FunctionalInterface
  interface RetryPolicy {
    boolean mayRetry(int failures);
  }

  private final Supplier<CompletionStage<T>> write;
  private final Duration firstDelay;
  private final Duration maxDelay;
  private final RetryPolicy policy;
  private final Consumer<T> onWritten;
  private final Consumer<Throwable> onGaveUp;

  private RetriedWrite(
      Supplier<CompletionStage<T>> write,
      Duration firstDelay,
      Duration maxDelay,
      RetryPolicy policy,
      Consumer<T> onWritten,
      Consumer<Throwable> onGaveUp) {
    this.write = write;
    this.firstDelay = firstDelay;
    this.maxDelay = maxDelay;
    this.policy = policy;
    this.onWritten = onWritten;
    this.onGaveUp = onGaveUp;
  }

  /**
   * Starts the write; after each failure it waits (from {@code firstDelay}, doubling up to {@code
   * maxDelay}) and tries again while {@code policy} allows; {@code onGaveUp} gets the last failure.
   */
  static <T> void start(
      Supplier<CompletionStage<T>> write,
      Duration firstDelay,
      Duration maxDelay,
      RetryPolicy policy,
      Consumer<T> onWritten,
      Consumer<Throwable> onGaveUp) {
    new RetriedWrite<>(write, firstDelay, maxDelay, policy, onWritten, onGaveUp)
        .attempt(0, firstDelay);
  }

  private void attempt(int failedSoFar, Duration delay) {
    CompletionStage<T> written;
    try {
      written = write.get();
    } catch (RuntimeException e) {
      written = CompletableFuture.failedFuture(e);
    }
    written.whenComplete(
        (result, failure) -> {
          if (failure == null) {
            onWritten.accept(result);
          } else if (policy.mayRetry(failedSoFar + 1)) {
            Duration next =
                delay.multipliedBy(2).compareTo(maxDelay) > 0 ? maxDelay : delay.multipliedBy(2);
            CompletableFuture.runAsync(
                () -> attempt(failedSoFar + 1, next),
                CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS));
          } else {
            onGaveUp.accept(failure);
          }
        });
  }
}
