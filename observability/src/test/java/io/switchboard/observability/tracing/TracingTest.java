package io.switchboard.observability.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TracingTest {

  @Test
  void tracingIsOffByDefaultAndThenCarriesNoContext() {
    TracingSettings settings = TracingSettings.fromConfig(ConfigFactory.load());
    Tracing tracing = Tracing.start(settings, "pekko://switchboard@127.0.0.1:7355");

    assertFalse(settings.enabled());
    assertSame(Tracing.OFF, tracing);
    Span span = tracing.start("envelope.write", SpanKind.INTERNAL, Context.root());
    assertFalse(span.getSpanContext().isValid(), "the no-op tracer makes invalid spans");
    assertNull(Tracing.traceparent(span), "an untraced message carries no traceparent");
    assertTrue(
        Thread.getAllStackTraces().keySet().stream()
            .noneMatch(thread -> thread.getName().contains("BatchSpanProcessor")),
        "no exporter thread");
  }

  @Test
  void aSpansTraceparentNamesTheSameTraceOnTheOtherSide() {
    Tracing tracing =
        Tracing.start(
            TracingSettings.fromConfig(
                ConfigFactory.parseMap(
                        // Nothing listens there: the last export gives up quickly.
                        Map.of(
                            "switchboard.tracing.enabled", true, "switchboard.otlp.timeout", "1s"))
                    .withFallback(ConfigFactory.load())),
            "node-a");
    try {
      Span sent = tracing.start("envelope.hand-over", SpanKind.PRODUCER, Context.root());
      String traceparent = Tracing.traceparent(sent);
      Span received = tracing.start("agent.take-envelope", SpanKind.CONSUMER, traceparent);

      assertTrue(traceparent.matches("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}"), traceparent);
      assertEquals(sent.getSpanContext().getTraceId(), received.getSpanContext().getTraceId());
      assertEquals(
          sent.getSpanContext().getSpanId(),
          Span.fromContext(Tracing.parent(traceparent)).getSpanContext().getSpanId());
      assertFalse(Span.fromContext(Tracing.parent("not a traceparent")).getSpanContext().isValid());
      received.end();
      sent.end();
    } finally {
      tracing.close();
    }
  }

  @Test
  void settingsAreCheckedWhenRead() {
    assertEquals(
        Map.of("api-key", "s3cret", "x-tenant", "edge"),
        OtlpSettings.headers("api-key=s3cret, x-tenant = edge,"));
    assertThrows(IllegalArgumentException.class, () -> OtlpSettings.headers("no-equals-sign"));
    assertThrows(
        IllegalArgumentException.class,
        () -> new OtlpSettings("localhost:4318", Map.of(), Duration.ofSeconds(1), "s"));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            TracingSettings.fromConfig(
                ConfigFactory.parseMap(
                        Map.of(
                            "switchboard.tracing.enabled",
                            true,
                            "switchboard.tracing.sampling-ratio",
                            1.5))
                    .withFallback(ConfigFactory.load())));
    assertEquals(
        "http://collector:4318/v1/traces",
        new OtlpSettings("http://collector:4318/", Map.of(), Duration.ofSeconds(1), "s")
            .url("traces"));
  }
}
