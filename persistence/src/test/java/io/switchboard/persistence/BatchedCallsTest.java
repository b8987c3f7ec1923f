package io.switchboard.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BatchedCallsTest {

  /** A statement the test answers by hand, each in the order it was sent. */
  private static final class HeldStatement implements BatchedCalls.Statement<String, String> {
    final List<List<String>> sent = new ArrayList<>();
    final List<CompletableFuture<Map<String, String>>> answers = new ArrayList<>();

    @Override
    public synchronized CompletionStage<Map<String, String>> apply(Set<String> keys) {
      CompletableFuture<Map<String, String>> answer = new CompletableFuture<>();
      sent.add(List.copyOf(keys));
      answers.add(answer);
      return answer;
    }

    synchronized int count() {
      return sent.size();
    }
  }

  @Test
  void aQuietNodeCallsAtOnceAndABusyOneInBatches() throws Exception {
    HeldStatement statement = new HeldStatement();
    BatchedCalls<String, String> calls = new BatchedCalls<>(statement, "none", 2, 3);

    CompletionStage<String> first = calls.call("a1");
    CompletionStage<String> second = calls.call("a2");
    assertEquals(
        List.of(List.of("a1"), List.of("a2")),
        statement.sent,
        "nothing under way: each call goes out alone");

    List<CompletionStage<String>> queued =
        IntStream.range(3, 8).mapToObj(i -> calls.call("a" + i)).toList();
    assertEquals(2, statement.count(), "both statements under way: the others wait");

    statement.answers.get(0).complete(Map.of("a1", "config-1"));
    assertEquals("config-1", first.toCompletableFuture().get());
    assertEquals(
        List.of("a3", "a4", "a5"),
        statement.sent.get(2),
        "the waiting go out together, in order, at most a batch");

    statement.answers.get(1).complete(Map.of());
    assertEquals(
        "none",
        second.toCompletableFuture().get(),
        "a key the statement left out gets the absent answer");
    assertEquals(List.of("a6", "a7"), statement.sent.get(3));

    statement.answers.get(2).complete(Map.of("a4", "config-4"));
    statement.answers.get(3).complete(Map.of());
    assertEquals("none", queued.get(0).toCompletableFuture().get());
    assertEquals("config-4", queued.get(1).toCompletableFuture().get());
    assertEquals(4, statement.count());
  }

  @Test
  void withConcurrencyOneStatementsRunOneAfterAnotherInCallOrder() {
    HeldStatement statement = new HeldStatement();
    BatchedCalls<String, String> calls = new BatchedCalls<>(statement, "none", 1, 10);

    calls.call("sent");
    calls.call("applied");
    calls.call("failed");
    assertEquals(
        List.of(List.of("sent")), statement.sent, "a second statement waits for the first");

    statement.answers.get(0).complete(Map.of());
    assertEquals(List.of("applied", "failed"), statement.sent.get(1));
  }

  @Test
  void aFailedStatementFailsOnlyItsCallersAndTheNextOnesStillGo() throws Exception {
    HeldStatement statement = new HeldStatement();
    BatchedCalls<String, String> calls = new BatchedCalls<>(statement, "none", 1, 10);
    CompletionStage<String> failing = calls.call("a1");
    CompletionStage<String> later = calls.call("a2");

    statement.answers.get(0).completeExceptionally(new IllegalStateException("database gone"));

    ExecutionException failure =
        assertThrows(ExecutionException.class, () -> failing.toCompletableFuture().get());
    assertEquals("database gone", failure.getCause().getMessage());
    assertFalse(later.toCompletableFuture().isDone());
    assertEquals(List.of("a2"), statement.sent.get(1));
    statement.answers.get(1).complete(Map.of("a2", "config-2"));
    assertEquals("config-2", later.toCompletableFuture().get());
  }

  @Test
  void aStatementThatThrowsFailsItsCallersAndFreesItsRoom() throws Exception {
    List<Set<String>> sent = new ArrayList<>();
    BatchedCalls<String, String> calls =
        new BatchedCalls<>(
            keys -> {
              sent.add(Set.copyOf(keys));
              if (keys.contains("bad")) {
                throw new IllegalArgumentException("cannot bind");
              }
              return CompletableFuture.completedFuture(Map.of());
            },
            "none",
            1,
            10);

    ExecutionException failure =
        assertThrows(ExecutionException.class, () -> calls.call("bad").toCompletableFuture().get());
    assertEquals("cannot bind", failure.getCause().getMessage());
    assertEquals("none", calls.call("good").toCompletableFuture().get());
    assertEquals(List.of(Set.of("bad"), Set.of("good")), sent);
  }

  @Test
  void callersOnManyThreadsAreAllAnswered() throws Exception {
    BatchedCalls<String, String> calls =
        new BatchedCalls<>(keys -> CompletableFuture.supplyAsync(() -> Map.of()), "none", 2, 50);
    ExecutorService threads = Executors.newFixedThreadPool(8);
    try {
      List<CompletableFuture<String>> results = new ArrayList<>();
      for (int i = 0; i < 5_000; i++) {
        String key = "a" + i;
        results.add(
            CompletableFuture.supplyAsync(() -> calls.call(key), threads)
                .thenCompose(call -> call));
      }
      CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
      assertTrue(results.stream().allMatch(result -> result.join().equals("none")));
    } finally {
      threads.shutdownNow();
    }
  }
}
