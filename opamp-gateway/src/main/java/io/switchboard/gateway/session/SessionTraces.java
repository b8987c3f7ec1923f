package io.switchboard.gateway.session;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.switchboard.observability.tracing.TraceAttributes;
import io.switchboard.observability.tracing.Tracing;
import io.switchboard.opamp.proto.ServerToAgent;
import java.util.UUID;

/**
 * The session's part of an operator command's trace: putting the command on the agent's socket, on
 * the node that holds it, as a child of the entity's span (whose {@code traceparent} the directive
 * carried).
 */
final class SessionTraces {

  private SessionTraces() {}

  /**
   * A started {@code session.send} span, to end once the message is on its way; the invalid span
   * (which costs nothing) when the directive carries no trace or this node does not trace.
   */
  static Span send(
      Tracing tracing,
      String traceparent,
      ServerToAgent message,
      String instanceUid,
      UUID envelope,
      String node) {
    if (traceparent == null || !tracing.enabled()) {
      return Span.getInvalid();
    }
    Span span = tracing.start("session.send", SpanKind.PRODUCER, traceparent);
    if (instanceUid != null) {
      span.setAttribute(TraceAttributes.AGENT, instanceUid);
    }
    if (envelope != null) {
      span.setAttribute(TraceAttributes.ENVELOPE, envelope.toString());
    }
    span.setAttribute(TraceAttributes.NODE, node);
    span.setAttribute(TraceAttributes.BYTES, (long) message.getSerializedSize());
    return span;
  }
}
