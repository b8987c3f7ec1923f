package io.switchboard.dispatch.rollout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * Runs an asynchronous action on each item with at most a few under way at once. A rollout batch of
 * thousands of agents once submitted every envelope together: each wanted a pooled database
 * connection, and the node's other writes (status, dispatch outcomes) waited behind them past the
 * pool's acquire timeout.
 */
final class FewAtATime {

  private FewAtATime() {}

  /**
   * Completes with the items' results, in the items' order, once all are done, or fails with the
   * first failure once the others are done (a failure does not stop the remaining items).
   */
  static <T, R> CompletionStage<List<R>> each(
      List<T> items, int atOnce, Function<T, CompletionStage<R>> action) {
    AtomicReferenceArray<R> results = new AtomicReferenceArray<>(items.size());
    AtomicInteger next = new AtomicInteger();
    List<CompletableFuture<Void>> lanes = new ArrayList<>();
    for (int lane = 0; lane < Math.min(atOnce, items.size()); lane++) {
      lanes.add(lane(items, next, action, results));
    }
    return CompletableFuture.allOf(lanes.toArray(CompletableFuture[]::new))
        .thenApply(done -> IntStream.range(0, items.size()).mapToObj(results::get).toList());
  }

  /** Takes the next item, and the one after when it is done, until none is left. */
  private static <T, R> CompletableFuture<Void> lane(
      List<T> items,
      AtomicInteger next,
      Function<T, CompletionStage<R>> action,
      AtomicReferenceArray<R> results) {
    int index = next.getAndIncrement();
    if (index >= items.size()) {
      return CompletableFuture.completedFuture(null);
    }
    T item = items.get(index);
    CompletionStage<R> started;
    try {
      started = action.apply(item);
    } catch (RuntimeException e) {
      started = CompletableFuture.failedFuture(e);
    }
    // Async, so that actions completing at once do not nest one stack frame per item.
    return started
        .toCompletableFuture()
        .handle(
            (result, failure) -> {
              if (failure == null) {
                results.set(index, result);
              }
              return failure;
            })
        .thenComposeAsync(
            failure -> {
              CompletableFuture<Void> rest = lane(items, next, action, results);
              return failure == null
                  ? rest
                  : rest.thenCompose(ignored -> CompletableFuture.failedFuture(failure));
            });
  }
}
