package io.switchboard.dispatch.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class FewAtATimeTest {

  @Test
  void neverMoreThanTheLimitUnderWayAndEveryItemDone() throws Exception {
    List<Integer> items = IntStream.range(0, 200).boxed().toList();
    AtomicInteger underWay = new AtomicInteger();
    AtomicInteger mostAtOnce = new AtomicInteger();
    List<Integer> doubled =
        FewAtATime.each(
                items,
                4,
                item -> {
                  mostAtOnce.accumulateAndGet(underWay.incrementAndGet(), Math::max);
                  return CompletableFuture.supplyAsync(
                      () -> {
                        underWay.decrementAndGet();
                        return item * 2;
                      },
                      CompletableFuture.delayedExecutor(1, TimeUnit.MILLISECONDS));
                })
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);

    assertEquals(items.stream().map(item -> item * 2).toList(), doubled);
    assertEquals(4, mostAtOnce.get());
  }

  @Test
  void aFailureFailsTheWholeOnlyOnceTheOthersAreDone() {
    List<String> done = new ArrayList<>();
    CompletionStage<List<String>> all =
        FewAtATime.each(
            List.of(1, 2, 3, 4, 5),
            2,
            item -> {
              if (item == 2) {
                return CompletableFuture.failedFuture(new IllegalStateException("agent 2 refused"));
              }
              synchronized (done) {
                done.add("agent " + item);
              }
              return CompletableFuture.completedFuture("agent " + item);
            });

    ExecutionException failure =
        assertThrows(
            ExecutionException.class, () -> all.toCompletableFuture().get(30, TimeUnit.SECONDS));
    assertEquals("agent 2 refused", failure.getCause().getMessage());
    assertEquals(
        List.of("agent 1", "agent 3", "agent 4", "agent 5"), done.stream().sorted().toList());
  }

  @Test
  void actionsThatCompleteAtOnceDoNotExhaustTheStack() throws Exception {
    List<Integer> items = IntStream.range(0, 20_000).boxed().toList();
    List<Integer> same =
        FewAtATime.each(items, 2, item -> CompletableFuture.completedFuture(item))
            .toCompletableFuture()
            .get(60, TimeUnit.SECONDS);
    assertEquals(items, same);
  }
}
