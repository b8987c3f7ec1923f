package io.switchboard.dispatch;

import io.switchboard.cluster.agent.EnvelopeLedger;
import io.switchboard.observability.SwitchboardMetrics;
import io.switchboard.persistence.BatchedCalls;
import io.switchboard.persistence.RowIsolation;
import io.switchboard.persistence.envelopes.EnvelopeOutcome;
import io.switchboard.persistence.envelopes.EnvelopeState;
import io.switchboard.persistence.envelopes.EnvelopeStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The envelope ledger on the dispatch_envelopes table. Changes and reads are batched ({@link
 * BatchedCalls}): a fan-out to thousands of agents makes thousands of SENT and APPLIED changes
 * within seconds. Each envelope's changes go to one of a few lanes (by its id), and a lane sends
 * one batch at a time, so an envelope's changes land in the order its entity made them while the
 * lanes write side by side; within a batch, SENT changes are written before closes, so an envelope
 * sent and applied in quick succession still records both.
 */
public final class StoredEnvelopeLedger implements EnvelopeLedger {

  private static final Logger log = LoggerFactory.getLogger(EnvelopeLedger.class);

  /** Changes waiting to be tried again, at most: a database outage holds them in memory. */
  private static final int MAX_RETRYING = 100_000;

  /** Changes per statement: a few hundred keep one statement to milliseconds. */
  private static final int MAX_BATCH = 500;

  /**
   * Ledger batches under way at once, one per lane. A fan-out's SENT and APPLIED changes (two per
   * agent) waited seconds behind one another in a single lane.
   */
  private static final int LANES = 2;

  private sealed interface Change {
    UUID envelope();

    EnvelopeState state();
  }

  private record Sent(UUID envelope, String node) implements Change {
    @Override
    public EnvelopeState state() {
      return EnvelopeState.SENT;
    }
  }

  private record Closed(EnvelopeOutcome outcome) implements Change {
    @Override
    public UUID envelope() {
      return outcome.envelope();
    }

    @Override
    public EnvelopeState state() {
      return outcome.state();
    }
  }

  private final EnvelopeStore store;
  private final AtomicInteger retrying = new AtomicInteger();
  private final List<BatchedCalls<Change, Boolean>> lanes;

  public StoredEnvelopeLedger(EnvelopeStore store) {
    this.store = store;
    this.lanes =
        Stream.generate(() -> new BatchedCalls<Change, Boolean>(this::write, false, 1, MAX_BATCH))
            .limit(LANES)
            .toList();
  }

  @Override
  public void sent(UUID envelope, String node) {
    record(new Sent(envelope, node));
  }

  @Override
  public void closed(UUID envelope, EnvelopeState outcome, String detail) {
    record(new Closed(new EnvelopeOutcome(envelope, outcome, detail)));
  }

  /**
   * Writes the change, and while the database is away keeps trying (every 30 s at most), so that an
   * outcome recorded during an outage is not lost to it. At most {@link #MAX_RETRYING} changes wait
   * to be tried again; past that a change is given up at once (counted and logged): the sweep and
   * the envelope's deadline still close it.
   */
  private void record(Change change) {
    AtomicBoolean waiting = new AtomicBoolean();
    RetriedWrite.start(
        () -> laneOf(change.envelope()).call(change),
        Duration.ofSeconds(1),
        Duration.ofSeconds(30),
        failures -> mayWait(waiting),
        changed -> {
          release(waiting);
          if (changed) {
            SwitchboardMetrics.dispatchEnvelopes(change.state().name()).increment();
          }
        },
        failure -> {
          release(waiting);
          SwitchboardMetrics.envelopeChangesDropped().increment();
          log.warn(
              "Could not record envelope {} as {}: {} changes already wait for the database; the sweep or its deadline closes it: {}",
              change.envelope(),
              change.state(),
              MAX_RETRYING,
              failure.toString());
        });
  }

  /** Whether a failed change may wait to be tried again: it holds a place already, or gets one. */
  private boolean mayWait(AtomicBoolean waiting) {
    if (waiting.get()) {
      return true;
    }
    if (retrying.incrementAndGet() <= MAX_RETRYING) {
      waiting.set(true);
      return true;
    }
    retrying.decrementAndGet();
    return false;
  }

  /** Gives back the place a change held while it waited. */
  private void release(AtomicBoolean waiting) {
    if (waiting.getAndSet(false)) {
      retrying.decrementAndGet();
    }
  }

  private BatchedCalls<Change, Boolean> laneOf(UUID envelope) {
    return lanes.get(Math.floorMod(envelope.hashCode(), LANES));
  }

  /**
   * Writes a batch of changes: sends, then closes. An envelope appears once per kind of change (the
   * first such change counts); each change answers whether it moved its envelope.
   */
  private CompletionStage<Map<Change, Boolean>> write(Set<Change> batch) {
    Map<UUID, Sent> sends = new LinkedHashMap<>();
    Map<UUID, Closed> closes = new LinkedHashMap<>();
    for (Change change : batch) {
      if (change instanceof Sent sent) {
        sends.putIfAbsent(sent.envelope(), sent);
      } else if (change instanceof Closed closed) {
        closes.putIfAbsent(closed.envelope(), closed);
      }
    }
    Map<UUID, String> nodeByEnvelope = new LinkedHashMap<>();
    sends.forEach((envelope, sent) -> nodeByEnvelope.put(envelope, sent.node()));
    return store
        .markSent(nodeByEnvelope)
        .thenCompose(
            sentNow ->
                closeIsolated(closes.values().stream().map(Closed::outcome).toList())
                    .thenApply(
                        closedNow -> {
                          Map<Change, Boolean> moved = new HashMap<>();
                          sends.forEach(
                              (envelope, sent) -> moved.put(sent, sentNow.contains(envelope)));
                          closes.forEach(
                              (envelope, closed) ->
                                  moved.put(closed, closedNow.contains(envelope)));
                          return moved;
                        }));
  }

  /**
   * Closes envelopes so that one whose detail the database refuses fails no other: it is set aside,
   * counted, and closed again with a plain detail.
   */
  private CompletionStage<Set<UUID>> closeIsolated(List<EnvelopeOutcome> outcomes) {
    return RowIsolation.write(outcomes, store::close)
        .thenCompose(
            outcome -> {
              Set<UUID> closed = new HashSet<>();
              outcome.answers().forEach(closed::addAll);
              if (outcome.rejected().isEmpty()) {
                return CompletableFuture.completedFuture(closed);
              }
              List<EnvelopeOutcome> plain = new ArrayList<>();
              for (RowIsolation.Rejected<EnvelopeOutcome> rejected : outcome.rejected()) {
                SwitchboardMetrics.dispatchRowsRejected(rejected.reason().tag()).increment();
                log.warn(
                    "The database refused the detail of envelope {}; closed without it: {}",
                    rejected.row().envelope(),
                    rejected.detail());
                EnvelopeOutcome refused = rejected.row();
                plain.add(
                    new EnvelopeOutcome(
                        refused.envelope(), refused.state(), "its detail could not be stored"));
              }
              return store
                  .close(plain)
                  .thenApply(
                      more -> {
                        closed.addAll(more);
                        return closed;
                      });
            });
  }
}
