package io.switchboard.cluster.agent;

import io.switchboard.persistence.dispatch.EnvelopeKind;
import io.switchboard.persistence.dispatch.StoredDispatch;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Reads new entities' desired state in batches. A node that takes on thousands of agents at once
 * (its start, a connect storm, a failover) starts as many entities, each reading its desired state
 * once; a statement per agent queued them in the connection pool ahead of shard leases and status
 * writes, and the storm's agents waited for their shards. A read goes out at once while fewer than
 * {@code concurrency} statements are under way; reads arriving meanwhile wait and go out together
 * when one finishes, up to {@code maxBatch} agents per statement. So a quiet node reads one agent
 * at a time with no delay, and a busy one in a few large statements.
 */
final class DesiredStateReads {

  /** Reads the desired state of the given agents; agents with none are absent from the answer. */
  interface Store extends Function<Set<String>, CompletionStage<Map<String, Map<EnvelopeKind, StoredDispatch>>>> {}

  /**
   * Statements under way at once: a storm's reads take at most this many of the pool's
   * connections, leaving the rest to leases, status writes and the API.
   */
  private static final int CONCURRENCY = 2;

  /** Agents per statement: a few hundred keep one statement to milliseconds. */
  private static final int MAX_BATCH = 500;

  private record Waiting(String instanceUid, CompletableFuture<Map<EnvelopeKind, StoredDispatch>> result) {}

  private final Store store;
  private final int concurrency;
  private final int maxBatch;
  private final ConcurrentLinkedQueue<Waiting> waiting = new ConcurrentLinkedQueue<>();
  private final AtomicInteger underWay = new AtomicInteger();

  DesiredStateReads(Store store, int concurrency, int maxBatch) {
    this.store = store;
    this.concurrency = concurrency;
    this.maxBatch = maxBatch;
  }

  static DesiredStateReads from(Store store) {
    return new DesiredStateReads(store, CONCURRENCY, MAX_BATCH);
  }

  CompletionStage<Map<EnvelopeKind, StoredDispatch>> read(String instanceUid) {
    CompletableFuture<Map<EnvelopeKind, StoredDispatch>> result = new CompletableFuture<>();
    waiting.add(new Waiting(instanceUid, result));
    sendWaiting();
    return result;
  }

  /**
   * Sends batches while there is room. A reader adds itself before looking for room, and a finished
   * statement frees its room before looking for readers, so no reader is left waiting unseen.
   */
  private void sendWaiting() {
    while (!waiting.isEmpty()) {
      if (underWay.incrementAndGet() > concurrency) {
        underWay.decrementAndGet();
        return;
      }
      List<Waiting> batch = new ArrayList<>();
      for (Waiting next; batch.size() < maxBatch && (next = waiting.poll()) != null; ) {
        batch.add(next);
      }
      if (batch.isEmpty()) {
        underWay.decrementAndGet();
        return;
      }
      send(batch);
    }
  }

  private void send(List<Waiting> batch) {
    Set<String> agents = new HashSet<>();
    batch.forEach(reader -> agents.add(reader.instanceUid()));
    CompletionStage<Map<String, Map<EnvelopeKind, StoredDispatch>>> answer;
    try {
      answer = store.apply(agents);
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    answer.whenComplete(
        (found, failure) -> {
          underWay.decrementAndGet();
          for (Waiting reader : batch) {
            if (failure != null) {
              reader.result().completeExceptionally(failure);
            } else {
              reader.result().complete(found.getOrDefault(reader.instanceUid(), Map.of()));
            }
          }
          sendWaiting();
        });
  }
}
