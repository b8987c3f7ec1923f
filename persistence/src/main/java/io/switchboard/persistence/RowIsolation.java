package io.switchboard.persistence;

import io.r2dbc.spi.R2dbcException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Batched writes in which one row the database refuses does not fail the others. A batch is written
 * as one statement; when PostgreSQL rejects it for its data (one agent's unstorable text, an
 * oversized value, a broken constraint), the batch is split in halves and each half written again,
 * until every rejected row stands alone and everything else is written. Any other failure (the
 * database unreachable, a timeout) fails the whole write, for the caller to retry.
 */
public final class RowIsolation {

  private RowIsolation() {}

  /** One row the database refused, with why. */
  public record Rejected<T>(T row, Reason reason, String detail) {}

  /** What a write came to: one answer per statement that succeeded, and the rows refused. */
  public record Outcome<T, R>(List<R> answers, List<Rejected<T>> rejected) {}

  /** Why the database refused a row; also the {@code reason} tag of the metric that counts them. */
  public enum Reason {
    /** Text PostgreSQL cannot hold (SQLSTATE 22P05, 22021). */
    UNSTORABLE_TEXT("unstorable-text"),
    /** A value past one of PostgreSQL's limits (class 54). */
    TOO_LARGE("too-large"),
    /** A constraint the row breaks (class 23). */
    CONSTRAINT("constraint"),
    /** Any other data exception (class 22). */
    INVALID_DATA("invalid-data");

    private final String tag;

    Reason(String tag) {
      this.tag = tag;
    }

    public String tag() {
      return tag;
    }
  }

  /**
   * Why the database refused a statement for the data it carried; empty when the failure is not
   * about the data (connection lost, pool exhausted, timeout, a statement the database cannot run).
   */
  public static Optional<Reason> rejection(Throwable failure) {
    Throwable cause =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    if (!(cause instanceof R2dbcException sqlFailure) || sqlFailure.getSqlState() == null) {
      return Optional.empty();
    }
    String state = sqlFailure.getSqlState();
    if (state.equals("22P05") || state.equals("22021")) {
      return Optional.of(Reason.UNSTORABLE_TEXT);
    }
    if (state.startsWith("54")) {
      return Optional.of(Reason.TOO_LARGE);
    }
    if (state.startsWith("23")) {
      return Optional.of(Reason.CONSTRAINT);
    }
    if (state.startsWith("22")) {
      return Optional.of(Reason.INVALID_DATA);
    }
    return Optional.empty();
  }

  /**
   * Writes {@code rows} with {@code statement}, isolating the rows the database rejects. Fails only
   * when a statement fails for another reason than its data.
   */
  public static <T, R> CompletionStage<Outcome<T, R>> write(
      List<T> rows, Function<List<T>, CompletionStage<R>> statement) {
    Outcome<T, R> outcome = new Outcome<>(new ArrayList<>(), new ArrayList<>());
    return write(rows, statement, outcome).thenApply(done -> outcome);
  }

  private static <T, R> CompletionStage<Void> write(
      List<T> rows, Function<List<T>, CompletionStage<R>> statement, Outcome<T, R> outcome) {
    if (rows.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    CompletionStage<R> attempt;
    try {
      attempt = statement.apply(rows);
    } catch (RuntimeException e) {
      attempt = CompletableFuture.failedFuture(e);
    }
    return attempt
        .handle(
            (answer, failure) -> {
              if (failure == null) {
                outcome.answers().add(answer);
                return CompletableFuture.<Void>completedFuture(null);
              }
              Optional<Reason> reason = rejection(failure);
              if (reason.isEmpty()) {
                return CompletableFuture.<Void>failedFuture(failure);
              }
              if (rows.size() == 1) {
                outcome.rejected().add(new Rejected<>(rows.get(0), reason.get(), message(failure)));
                return CompletableFuture.<Void>completedFuture(null);
              }
              int half = rows.size() / 2;
              return write(rows.subList(0, half), statement, outcome)
                  .thenCompose(first -> write(rows.subList(half, rows.size()), statement, outcome));
            })
        .thenCompose(next -> next);
  }

  private static String message(Throwable failure) {
    Throwable cause =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    return cause.getMessage();
  }
}
