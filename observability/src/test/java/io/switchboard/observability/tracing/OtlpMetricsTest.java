package io.switchboard.observability.tracing;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.sun.net.httpserver.HttpServer;
import com.typesafe.config.ConfigFactory;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import kamon.Kamon;
import kamon.metric.Instrument;
import kamon.metric.MetricSnapshot;
import kamon.metric.PeriodSnapshot;
import kamon.tag.TagSet;
import org.junit.jupiter.api.Test;
import scala.jdk.javaapi.CollectionConverters;

class OtlpMetricsTest {

  @Test
  void metricsAreOffUnlessAskedFor() {
    assertFalse(OtlpMetrics.Settings.fromConfig(ConfigFactory.load()).enabled());
  }

  /** Kamon's snapshot goes out over OTLP/HTTP to a receiver in the test, names and tags intact. */
  @Test
  void aPeriodsCountersAndGaugesReachTheCollector() throws Exception {
    ConcurrentLinkedQueue<String> bodies = new ConcurrentLinkedQueue<>();
    HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext(
        "/v1/metrics",
        exchange -> {
          try (InputStream body = exchange.getRequestBody()) {
            // Names and attribute values are plain strings inside the protobuf.
            bodies.add(new String(body.readAllBytes(), StandardCharsets.ISO_8859_1));
          }
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    receiver.start();
    OtlpMetrics reporter =
        new OtlpMetrics(
            OtlpMetrics.Settings.fromConfig(
                ConfigFactory.parseMap(
                        Map.of(
                            "switchboard.metrics.otlp.enabled",
                            true,
                            "switchboard.metrics.otlp.interval",
                            "200ms",
                            "switchboard.otlp.endpoint",
                            "http://127.0.0.1:" + receiver.getAddress().getPort()))
                    .withFallback(ConfigFactory.load())));
    try {
      reporter.reportPeriodSnapshot(
          new PeriodSnapshot(
              Instant.now().minusSeconds(5),
              Instant.now(),
              seq(
                  MetricSnapshot.ofValues(
                      "switchboard.test.commands",
                      "commands",
                      Kamon.counter("switchboard.test.commands").settings(),
                      seq(new Instrument.Snapshot<Object>(TagSet.of("kind", "restart"), 3L)))),
              seq(
                  MetricSnapshot.ofValues(
                      "switchboard.test.sessions",
                      "sessions",
                      Kamon.gauge("switchboard.test.sessions").settings(),
                      seq(new Instrument.Snapshot<Object>(TagSet.Empty(), 7.5)))),
              seq(),
              seq(),
              seq()));

      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  bodies.stream()
                      .anyMatch(
                          body ->
                              body.contains("switchboard.test.commands")
                                  && body.contains("restart")
                                  && body.contains("switchboard.test.sessions")));
    } finally {
      reporter.stop();
      receiver.stop(0);
    }
  }

  @SafeVarargs
  private static <T> scala.collection.immutable.Seq<T> seq(T... items) {
    return CollectionConverters.asScala(List.of(items)).toSeq();
  }
}
