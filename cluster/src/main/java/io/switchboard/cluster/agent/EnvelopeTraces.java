package io.switchboard.cluster.agent;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Scope;
import io.switchboard.cluster.agent.AgentProtocol.EnvelopeReceipt;
import io.switchboard.cluster.agent.AgentProtocol.TakeEnvelope;
import io.switchboard.observability.tracing.TraceAttributes;
import io.switchboard.observability.tracing.Tracing;
import io.switchboard.persistence.envelopes.EnvelopeState;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * An entity's part in operators' traces: the span of taking an envelope, and the trace of each
 * recent traced envelope, so that what becomes of it later (sent to a later session, APPLIED by the
 * agent) joins the operator's trace. With tracing off it holds nothing.
 */
final class EnvelopeTraces {

  private final Tracing tracing;
  private final String instanceUid;
  private final int remembered;

  /** Made on the first traced envelope: with tracing off, never. */
  private Map<UUID, String> traces;

  EnvelopeTraces(Tracing tracing, String instanceUid, int remembered) {
    this.tracing = tracing;
    this.instanceUid = instanceUid;
    this.remembered = remembered;
  }

  /** Takes {@code take} through {@code untraced}, inside its span when it carries a trace. */
  EnvelopeReceipt take(TakeEnvelope take, Supplier<EnvelopeReceipt> untraced) {
    if (take.traceparent() == null || !tracing.enabled()) {
      return untraced.get();
    }
    Span span = tracing.start("agent.take-envelope", SpanKind.CONSUMER, take.traceparent());
    try (Scope ignored = span.makeCurrent()) {
      span.setAttribute(TraceAttributes.AGENT, instanceUid);
      span.setAttribute(TraceAttributes.ENVELOPE, take.envelope().toString());
      String traceparent = Tracing.traceparent(span);
      if (traceparent != null) {
        traces().put(take.envelope(), traceparent);
      }
      EnvelopeReceipt receipt = untraced.get();
      span.setAttribute(
          TraceAttributes.STATE, receipt == null ? "SENDING" : receipt.state().name());
      return receipt;
    } finally {
      span.end();
    }
  }

  /** The envelope's trace, or the one current on this thread; null when it has none. */
  String of(UUID envelope) {
    String traced = traces == null ? null : traces.get(envelope);
    return traced != null ? traced : Tracing.currentTraceparent();
  }

  /**
   * The end of a traced envelope joins its trace: for a remote config, the agent's APPLIED (or
   * FAILED) report, wherever it arrives.
   */
  void closed(UUID envelope, EnvelopeState outcome, String detail) {
    String traceparent = of(envelope);
    if (traceparent == null) {
      return;
    }
    Span span = tracing.start("envelope.closed", SpanKind.INTERNAL, traceparent);
    span.setAttribute(TraceAttributes.AGENT, instanceUid);
    span.setAttribute(TraceAttributes.ENVELOPE, envelope.toString());
    span.setAttribute(TraceAttributes.STATE, outcome.name());
    if (detail != null) {
      span.setAttribute(TraceAttributes.DETAIL, detail);
    }
    span.end();
    if (traces != null) {
      traces.remove(envelope);
    }
  }

  private Map<UUID, String> traces() {
    if (traces == null) {
      traces =
          new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<UUID, String> eldest) {
              return size() > remembered;
            }
          };
    }
    return traces;
  }
}
