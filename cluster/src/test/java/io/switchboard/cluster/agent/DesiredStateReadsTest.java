package io.switchboard.cluster.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.persistence.dispatch.EnvelopeKind;
import io.switchboard.persistence.dispatch.EnvelopeState;
import io.switchboard.persistence.dispatch.StoredDispatch;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DesiredStateReadsTest {

  /** A store whose statements the test answers by hand, in the order they were sent. */
  private static final class HeldStore implements DesiredStateReads.Store {
    final List<Set<String>> statements = new ArrayList<>();
    final List<CompletableFuture<Map<String, Map<EnvelopeKind, StoredDispatch>>>> answers = new ArrayList<>();

    @Override
    public synchronized CompletionStage<Map<String, Map<EnvelopeKind, StoredDispatch>>> apply(Set<String> agents) {
      CompletableFuture<Map<String, Map<EnvelopeKind, StoredDispatch>>> answer = new CompletableFuture<>();
      statements.add(Set.copyOf(agents));
      answers.add(answer);
      return answer;
    }

    synchronized int sent() {
      return statements.size();
    }
  }

  private static final StoredDispatch CONFIG =
      new StoredDispatch(UUID.randomUUID(), new byte[] {1}, EnvelopeState.APPLIED, Instant.now());

  @Test
  void aQuietNodeReadsAtOnceAndABusyOneInBatches() throws Exception {
    HeldStore store = new HeldStore();
    DesiredStateReads reads = new DesiredStateReads(store, 2, 3);

    CompletionStage<Map<EnvelopeKind, StoredDispatch>> first = reads.read("a1");
    CompletionStage<Map<EnvelopeKind, StoredDispatch>> second = reads.read("a2");
    assertEquals(List.of(Set.of("a1"), Set.of("a2")), store.statements, "nothing under way: each read goes out alone");

    List<CompletionStage<Map<EnvelopeKind, StoredDispatch>>> queued =
        IntStream.range(3, 8).mapToObj(i -> reads.read("a" + i)).toList();
    assertEquals(2, store.sent(), "both statements under way: the others wait");

    store.answers.get(0).complete(Map.of("a1", Map.of(EnvelopeKind.REMOTE_CONFIG, CONFIG)));
    assertSame(CONFIG, first.toCompletableFuture().get().get(EnvelopeKind.REMOTE_CONFIG));
    assertEquals(Set.of("a3", "a4", "a5"), store.statements.get(2), "the waiting go out together, at most a batch");

    store.answers.get(1).complete(Map.of());
    assertEquals(Map.of(), second.toCompletableFuture().get(), "an agent with no envelope has no desired state");
    assertEquals(Set.of("a6", "a7"), store.statements.get(3));

    store.answers.get(2).complete(Map.of("a4", Map.of(EnvelopeKind.REMOTE_CONFIG, CONFIG)));
    store.answers.get(3).complete(Map.of());
    assertEquals(Map.of(), queued.get(0).toCompletableFuture().get());
    assertSame(CONFIG, queued.get(1).toCompletableFuture().get().get(EnvelopeKind.REMOTE_CONFIG));
    assertEquals(4, store.sent());
  }

  @Test
  void aFailedStatementFailsOnlyItsReadersAndTheNextOnesStillGo() throws Exception {
    HeldStore store = new HeldStore();
    DesiredStateReads reads = new DesiredStateReads(store, 1, 10);
    CompletionStage<Map<EnvelopeKind, StoredDispatch>> failing = reads.read("a1");
    CompletionStage<Map<EnvelopeKind, StoredDispatch>> later = reads.read("a2");

    store.answers.get(0).completeExceptionally(new IllegalStateException("database gone"));

    ExecutionException failure = assertThrows(ExecutionException.class, () -> failing.toCompletableFuture().get());
    assertEquals("database gone", failure.getCause().getMessage());
    assertFalse(later.toCompletableFuture().isDone());
    assertEquals(Set.of("a2"), store.statements.get(1));
    store.answers.get(1).complete(Map.of());
    assertEquals(Map.of(), later.toCompletableFuture().get());
  }

  @Test
  void readersOnManyThreadsAreAllAnswered() throws Exception {
    DesiredStateReads reads =
        new DesiredStateReads(
            agents -> CompletableFuture.supplyAsync(() -> Map.of()), 2, 50);
    ExecutorService threads = Executors.newFixedThreadPool(8);
    try {
      List<CompletableFuture<Map<EnvelopeKind, StoredDispatch>>> results = new ArrayList<>();
      for (int i = 0; i < 5_000; i++) {
        String agent = "a" + i;
        results.add(CompletableFuture.supplyAsync(() -> reads.read(agent), threads).thenCompose(read -> read));
      }
      CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
      assertTrue(results.stream().allMatch(result -> result.join().isEmpty()));
    } finally {
      threads.shutdownNow();
    }
  }
}
