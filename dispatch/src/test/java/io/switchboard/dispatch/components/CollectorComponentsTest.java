package io.switchboard.dispatch.components;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import org.junit.jupiter.api.Test;

class CollectorComponentsTest {

  @Test
  void everySectionsTypesAreNamedWithoutTheirInstanceSuffix() {
    String yaml =
        """
        receivers:
          otlp: {}
          otlp/2: {}
          filelog/app: {}
        processors:
          batch:
        exporters:
          kafka/primary: {brokers: [a]}
          debug: {}
        extensions:
          health_check: {}
        connectors:
          spanmetrics: {}
        service:
          pipelines:
            traces: {receivers: [otlp], exporters: [debug]}
        """;
    assertEquals(
        Set.of(
            "receivers/otlp",
            "receivers/filelog",
            "processors/batch",
            "exporters/kafka",
            "exporters/debug",
            "extensions/health_check",
            "connectors/spanmetrics"),
        CollectorComponents.ofYaml(yaml));
  }

  @Test
  void whatIsNotACollectorConfigNamesNothing() {
    assertEquals(Set.of(), CollectorComponents.ofYaml("just: text\n"));
    assertEquals(Set.of(), CollectorComponents.ofYaml("- a\n- b\n"));
    assertEquals(Set.of(), CollectorComponents.ofYaml("receivers: [otlp"));
    assertEquals(Set.of(), CollectorComponents.ofYaml("receivers: otlp\n"));
  }

  @Test
  void aConfigMapsTextFilesAreReadAndBase64OnesSkipped() {
    String configMap =
        """
        {"collector.yaml": {"content_type": "text/yaml", "body": "exporters:\\n  kafka: {}\\n"},
         "extra.yaml": {"content_type": "text/yaml", "body": "receivers: {otlp: {}}"},
         "blob": {"content_type": "application/octet-stream", "body": "AAEC", "body_encoding": "base64"}}
        """;
    assertEquals(
        Set.of("exporters/kafka", "receivers/otlp"), CollectorComponents.ofConfigMap(configMap));
  }
}
