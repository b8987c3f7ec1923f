package io.switchboard.dispatch;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A database write that is tried again after each delay in turn when it fails. For the envelope
 * ledger's writes: they only ever move an envelope forward, so trying one again is harmless, and
 * one lost to a busy connection pool left an applied envelope open until its deadline expired it.
 */
final class RetriedWrite<T> {

  /** One second, then doubling: about half a minute in all, while a pool or a database recovers. */
  static final List<Duration> LEDGER_DELAYS =
      List.of(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8), Duration.ofSeconds(16));

  private final Supplier<CompletionStage<T>> write;
  private final List<Duration> delays;
  private final Consumer<T> onWritten;
  private final Consumer<Throwable> onGaveUp;

  private RetriedWrite(
      Supplier<CompletionStage<T>> write, List<Duration> delays, Consumer<T> onWritten, Consumer<Throwable> onGaveUp) {
    this.write = write;
    this.delays = delays;
    this.onWritten = onWritten;
    this.onGaveUp = onGaveUp;
  }

  /** Starts the write; {@code onGaveUp} gets the last failure once every delay is spent. */
  static <T> void start(
      Supplier<CompletionStage<T>> write, List<Duration> delays, Consumer<T> onWritten, Consumer<Throwable> onGaveUp) {
    new RetriedWrite<>(write, delays, onWritten, onGaveUp).attempt(0);
  }

  private void attempt(int failedSoFar) {
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
          } else if (failedSoFar < delays.size()) {
            long delayMillis = delays.get(failedSoFar).toMillis();
            CompletableFuture.runAsync(
                () -> attempt(failedSoFar + 1), CompletableFuture.delayedExecutor(delayMillis, TimeUnit.MILLISECONDS));
          } else {
            onGaveUp.accept(failure);
          }
        });
  }
}
