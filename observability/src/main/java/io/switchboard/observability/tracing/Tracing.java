package io.switchboard.observability.tracing;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * The node's tracer, one per actor system (so several nodes in one test JVM each report as
 * themselves): the OpenTelemetry SDK exporting over OTLP/HTTP when {@code switchboard.tracing} is
 * on, OpenTelemetry's no-op tracer otherwise, which makes no thread, keeps nothing and carries no
 * context across nodes. Spans cross nodes as a W3C {@code traceparent} string inside the cluster
 * messages that carry an operator's command; {@link #traceparent} and {@link #parent} convert.
 */
public final class Tracing implements Extension {

  /** No tracing: OpenTelemetry's no-op tracer. */
  public static final Tracing OFF =
      new Tracing(OpenTelemetry.noop().getTracer("switchboard"), null);

  /** The resource attribute naming the node (its Pekko address), beside {@code service.*}. */
  public static final AttributeKey<String> NODE = AttributeKey.stringKey("switchboard.node");

  private static final String INSTRUMENTATION = "io.switchboard";
  private static final Id ID = new Id();

  private static final TextMapGetter<String> TRACEPARENT =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(String carrier) {
          return List.of("traceparent");
        }

        @Override
        public String get(String carrier, String key) {
          return "traceparent".equals(key) ? carrier : null;
        }
      };

  private final Tracer tracer;
  private final OpenTelemetrySdk sdk;

  private Tracing(Tracer tracer, OpenTelemetrySdk sdk) {
    this.tracer = tracer;
    this.sdk = sdk;
  }

  /** The node's tracer, started on first use from the system's configuration. */
  public static Tracing get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /** A tracer for {@code node} (its name in the {@code switchboard.node} resource attribute). */
  public static Tracing start(TracingSettings settings, String node) {
    if (!settings.enabled()) {
      return OFF;
    }
    OtlpSettings otlp = settings.otlp();
    OtlpHttpSpanExporterBuilder exporter =
        OtlpHttpSpanExporter.builder().setEndpoint(otlp.url("traces")).setTimeout(otlp.timeout());
    otlp.headers().forEach(exporter::addHeader);
    SdkTracerProvider provider =
        SdkTracerProvider.builder()
            .setResource(resource(otlp.serviceName(), node))
            // A trace begun on another node (or by the operator's own tool) keeps its choice, so
            // a trace is kept or dropped whole.
            .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(settings.samplingRatio())))
            .addSpanProcessor(
                BatchSpanProcessor.builder(exporter.build())
                    .setScheduleDelay(settings.exportInterval())
                    .setMaxQueueSize(settings.maxQueueSize())
                    .setMaxExportBatchSize(Math.min(512, settings.maxQueueSize()))
                    .setExporterTimeout(otlp.timeout())
                    .build())
            .build();
    OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(provider).build();
    return new Tracing(sdk.getTracer(INSTRUMENTATION), sdk);
  }

  /** {@code service.name}, {@code service.instance.id} and {@code switchboard.node}. */
  public static Resource resource(String serviceName, String node) {
    return Resource.getDefault()
        .merge(
            Resource.create(
                Attributes.of(
                    AttributeKey.stringKey("service.name"),
                    serviceName,
                    AttributeKey.stringKey("service.instance.id"),
                    node,
                    NODE,
                    node)));
  }

  public boolean enabled() {
    return sdk != null;
  }

  /** Starts a span under {@code parent} (a root span under {@link Context#root()}). */
  public Span start(String name, SpanKind kind, Context parent) {
    return tracer.spanBuilder(name).setSpanKind(kind).setParent(parent).startSpan();
  }

  /** Starts a span under the W3C {@code traceparent} a message carried (a root span for null). */
  public Span start(String name, SpanKind kind, String traceparent) {
    return start(name, kind, parent(traceparent));
  }

  /**
   * The W3C {@code traceparent} of the span in {@code context}, to put into a message to another
   * actor or node; null when there is none (tracing off, or no span), so that an untraced message
   * carries nothing.
   */
  public static String traceparent(Context context) {
    return traceparent(Span.fromContext(context));
  }

  /** The W3C {@code traceparent} of {@code span}; null for an invalid (no-op) span. */
  public static String traceparent(Span span) {
    SpanContext context = span.getSpanContext();
    if (!context.isValid()) {
      return null;
    }
    return "00-"
        + context.getTraceId()
        + "-"
        + context.getSpanId()
        + "-"
        + context.getTraceFlags().asHex();
  }

  /** The {@code traceparent} of the span current on this thread; null when there is none. */
  public static String currentTraceparent() {
    return traceparent(Context.current());
  }

  /**
   * The context a message's {@code traceparent} names, to start spans under; the root context for
   * null or for a value that is not a valid traceparent.
   */
  public static Context parent(String traceparent) {
    if (traceparent == null) {
      return Context.root();
    }
    return W3CTraceContextPropagator.getInstance()
        .extract(Context.root(), traceparent, TRACEPARENT);
  }

  /** Sends what is left and stops the exporter (nothing for the no-op tracer). */
  public void close() {
    if (sdk != null) {
      sdk.shutdown().join(10, TimeUnit.SECONDS);
    }
  }

  private static final class Id extends ExtensionId<Tracing> {
    @Override
    public Tracing createExtension(ActorSystem<?> system) {
      Tracing tracing =
          start(
              TracingSettings.fromConfig(system.settings().config()), system.address().toString());
      if (tracing.enabled()) {
        // Last, so that spans of the shutdown itself (a session's last send) still go out.
        CoordinatedShutdown.get(system)
            .addTask(
                CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
                "flush-traces",
                () ->
                    CompletableFuture.supplyAsync(
                        () -> {
                          tracing.close();
                          return Done.getInstance();
                        }));
      }
      return tracing;
    }
  }
}
