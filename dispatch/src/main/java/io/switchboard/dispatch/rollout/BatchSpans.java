package io.switchboard.dispatch.rollout;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.switchboard.observability.tracing.TraceAttributes;
import io.switchboard.observability.tracing.Tracing;
import io.switchboard.persistence.rollouts.BatchProgress;
import io.switchboard.persistence.rollouts.Rollout;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A rollout batch as a span of its own trace, from its dispatch until the driver judges it (moves
 * on, completes the rollout, or pauses it on a gate), with its agents' outcomes as attributes; each
 * agent's envelope, taken by its entity and closed by the agent's report, is a child of it. The
 * spans live in the driver singleton: if it moves to another node meanwhile, the open ones are
 * ended as such and the batches go on untraced.
 */
final class BatchSpans {

  private static final AttributeKey<String> OUTCOME =
      AttributeKey.stringKey("switchboard.rollout.batch.outcome");

  private record Key(UUID rollout, int batch) {}

  private final Tracing tracing;

  /** Batches dispatched and not yet judged; steps run on futures, so concurrent. */
  private final Map<Key, Span> open = new ConcurrentHashMap<>();

  BatchSpans(Tracing tracing) {
    this.tracing = tracing;
  }

  /**
   * The context to dispatch the rollout's current batch in: its span, begun now unless a step
   * before began it already (a batch whose dispatch was cut short is dispatched again).
   */
  Context started(Rollout rollout, int agents) {
    if (!tracing.enabled()) {
      return Context.root();
    }
    Span span =
        open.computeIfAbsent(
            new Key(rollout.id(), rollout.currentBatch()),
            key -> {
              Span begun = tracing.start("rollout.batch", SpanKind.INTERNAL, Context.root());
              begun.setAttribute(TraceAttributes.ROLLOUT, rollout.id().toString());
              begun.setAttribute(TraceAttributes.BATCH, (long) rollout.currentBatch() + 1);
              return begun;
            });
    span.setAttribute(TraceAttributes.BATCH_AGENTS, (long) agents);
    return Context.root().with(span);
  }

  /** The batch was judged: its agents' outcomes, and what became of the rollout. */
  void judged(Rollout rollout, BatchProgress batch, String outcome) {
    Span span = open.remove(new Key(rollout.id(), rollout.currentBatch()));
    if (span == null) {
      return;
    }
    span.setAttribute(attribute("targets"), (long) batch.targets());
    span.setAttribute(attribute("applied"), (long) batch.applied());
    span.setAttribute(attribute("failed"), (long) batch.failed());
    span.setAttribute(attribute("expired"), (long) batch.expired());
    span.setAttribute(attribute("disconnected"), (long) batch.disconnected());
    span.setAttribute(attribute("unhealthy"), (long) batch.unhealthy());
    span.setAttribute(OUTCOME, outcome);
    span.end();
  }

  /** Ends the spans of rollouts no longer running or paused (aborted, rolled back). */
  void retainOnly(Set<UUID> active) {
    open.entrySet()
        .removeIf(
            entry -> {
              if (active.contains(entry.getKey().rollout())) {
                return false;
              }
              entry.getValue().setAttribute(OUTCOME, "rollout ended");
              entry.getValue().end();
              return true;
            });
  }

  private static AttributeKey<Long> attribute(String name) {
    return AttributeKey.longKey("switchboard.rollout.batch." + name);
  }
}
