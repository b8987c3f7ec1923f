package io.switchboard.observability.tracing;

import com.typesafe.config.Config;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.DoubleGauge;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporterBuilder;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import kamon.metric.Distribution;
import kamon.metric.Instrument;
import kamon.metric.MeasurementUnit;
import kamon.metric.MetricSnapshot;
import kamon.metric.PeriodSnapshot;
import kamon.module.MetricReporter;
import kamon.tag.Tag;
import kamon.tag.TagSet;
import scala.jdk.javaapi.CollectionConverters;

/**
 * OTLP metrics for a team without Prometheus: a Kamon reporter that replays each of Kamon's period
 * snapshots into the OpenTelemetry SDK's instruments, which a periodic reader exports over
 * OTLP/HTTP. Kamon's own OpenTelemetry reporter does not resolve for Kamon 2.7.5 here. Counters
 * become OpenTelemetry counters (Kamon hands over each period's increase), gauges gauges, and
 * histograms, timers and range samplers histograms, in seconds and bytes as the Prometheus text has
 * them; each of a period's recorded values is recorded again at its Kamon bucket's value, so the
 * cost grows with what was recorded, on Kamon's tick thread.
 */
public final class OtlpMetrics implements MetricReporter {

  /** {@code switchboard.metrics.otlp}: whether, and how often metrics are exported. */
  public record Settings(boolean enabled, Duration interval, OtlpSettings otlp) {

    public static Settings fromConfig(Config config) {
      if (!config.hasPath("switchboard.metrics.otlp.enabled")
          || !config.getBoolean("switchboard.metrics.otlp.enabled")) {
        return new Settings(false, Duration.ofMinutes(1), null);
      }
      return new Settings(
          true,
          config.getDuration("switchboard.metrics.otlp.interval"),
          OtlpSettings.fromConfig(config.getConfig("switchboard.otlp")));
    }
  }

  private final SdkMeterProvider provider;
  private final Meter meter;
  private final Map<String, LongCounter> counters = new ConcurrentHashMap<>();
  private final Map<String, DoubleGauge> gauges = new ConcurrentHashMap<>();
  private final Map<String, DoubleHistogram> histograms = new ConcurrentHashMap<>();

  public OtlpMetrics(Settings settings) {
    OtlpSettings otlp = settings.otlp();
    OtlpHttpMetricExporterBuilder exporter =
        OtlpHttpMetricExporter.builder()
            .setEndpoint(otlp.url("metrics"))
            .setTimeout(otlp.timeout());
    otlp.headers().forEach(exporter::addHeader);
    provider =
        SdkMeterProvider.builder()
            // Kamon's registry is the process's, whatever nodes it runs: named after the process.
            .setResource(
                Tracing.resource(
                    otlp.serviceName(), "pid-" + ProcessHandle.current().pid() + "@" + host()))
            .registerMetricReader(
                PeriodicMetricReader.builder(exporter.build())
                    .setInterval(settings.interval())
                    .build())
            .build();
    meter = provider.get("io.switchboard");
  }

  @Override
  public void reportPeriodSnapshot(PeriodSnapshot snapshot) {
    for (MetricSnapshot<?, Object> metric : CollectionConverters.asJava(snapshot.counters())) {
      LongCounter counter =
          counters.computeIfAbsent(
              metric.name(),
              name -> meter.counterBuilder(name).setDescription(metric.description()).build());
      for (Instrument.Snapshot<Object> instrument :
          CollectionConverters.asJava(metric.instruments())) {
        counter.add((Long) instrument.value(), attributes(instrument.tags()));
      }
    }
    for (MetricSnapshot<?, Object> metric : CollectionConverters.asJava(snapshot.gauges())) {
      DoubleGauge gauge =
          gauges.computeIfAbsent(
              metric.name(),
              name -> meter.gaugeBuilder(name).setDescription(metric.description()).build());
      for (Instrument.Snapshot<Object> instrument :
          CollectionConverters.asJava(metric.instruments())) {
        gauge.set((Double) instrument.value(), attributes(instrument.tags()));
      }
    }
    distributions(snapshot.histograms());
    distributions(snapshot.timers());
    distributions(snapshot.rangeSamplers());
  }

  private void distributions(
      scala.collection.immutable.Seq<? extends MetricSnapshot<?, Distribution>> metrics) {
    for (MetricSnapshot<?, Distribution> metric : CollectionConverters.asJava(metrics)) {
      MeasurementUnit unit = metric.settings().unit();
      MeasurementUnit base = base(unit);
      DoubleHistogram histogram =
          histograms.computeIfAbsent(
              metric.name(),
              name ->
                  meter
                      .histogramBuilder(name)
                      .setDescription(metric.description())
                      .setUnit(ucum(unit))
                      .build());
      for (Instrument.Snapshot<Distribution> instrument :
          CollectionConverters.asJava(metric.instruments())) {
        Attributes attributes = attributes(instrument.tags());
        for (Distribution.Bucket bucket :
            CollectionConverters.asJava(instrument.value().buckets())) {
          double value = MeasurementUnit.convert(bucket.value(), unit, base);
          for (long i = 0; i < bucket.frequency(); i++) {
            histogram.record(value, attributes);
          }
        }
      }
    }
  }

  /** Seconds for times and bytes for sizes, as the Prometheus text has them. */
  private static MeasurementUnit base(MeasurementUnit unit) {
    String dimension = unit.dimension().name();
    if (dimension.equals("time")) {
      return MeasurementUnit.time().seconds();
    }
    if (dimension.equals("information")) {
      return MeasurementUnit.information().bytes();
    }
    return unit;
  }

  private static String ucum(MeasurementUnit unit) {
    String dimension = unit.dimension().name();
    return dimension.equals("time") ? "s" : dimension.equals("information") ? "By" : "";
  }

  private static Attributes attributes(TagSet tags) {
    if (tags.isEmpty()) {
      return Attributes.empty();
    }
    AttributesBuilder builder = Attributes.builder();
    for (Tag tag : CollectionConverters.asJava(tags.all())) {
      builder.put(tag.key(), String.valueOf(Tag.unwrapValue(tag)));
    }
    return builder.build();
  }

  private static String host() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "unknown";
    }
  }

  @Override
  public void stop() {
    provider.shutdown().join(10, TimeUnit.SECONDS);
  }

  @Override
  public void reconfigure(Config config) {}
}
