package io.switchboard.dispatch.components;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The component types an OpenTelemetry Collector configuration uses, named {@code kind/type} as
 * agents report them ({@code exporters/kafka}): every key of its {@code receivers}, {@code
 * processors}, {@code exporters}, {@code extensions} and {@code connectors} sections, the type
 * being what comes before the first {@code /} ({@code otlp/2} is an {@code otlp}).
 */
public final class CollectorComponents {

  /** The sections of a collector configuration that name components. */
  public static final List<String> KINDS =
      List.of("receivers", "processors", "exporters", "extensions", "connectors");

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();

  private CollectorComponents() {}

  /**
   * The component types of every file of a stored config map ({@code {"name": {"content_type",
   * "body", "body_encoding"?}}}). Files that are not YAML (or JSON, which YAML reads too) mapping
   * those sections name nothing: a config map may carry other files.
   */
  public static Set<String> ofConfigMap(String configMapJson) {
    Set<String> components = new TreeSet<>();
    JsonNode files;
    try {
      files = JSON.readTree(configMapJson);
    } catch (IOException e) {
      throw new IllegalArgumentException("a stored config map is JSON", e);
    }
    for (JsonNode file : files) {
      String body = file.path("body").asText("");
      if ("base64".equals(file.path("body_encoding").asText())) {
        continue;
      }
      components.addAll(ofYaml(body));
    }
    return components;
  }

  /** The component types one YAML document names; none when it is not a YAML mapping. */
  public static Set<String> ofYaml(String yaml) {
    Set<String> components = new TreeSet<>();
    JsonNode root;
    try {
      root = YAML.readTree(yaml);
    } catch (IOException e) {
      return components;
    }
    if (root == null || !root.isObject()) {
      return components;
    }
    for (String kind : KINDS) {
      JsonNode section = root.path(kind);
      if (!section.isObject()) {
        continue;
      }
      for (Iterator<String> ids = section.fieldNames(); ids.hasNext(); ) {
        String id = ids.next();
        int slash = id.indexOf('/');
        String type = (slash < 0 ? id : id.substring(0, slash)).trim();
        if (!type.isEmpty()) {
          components.add(kind + "/" + type);
        }
      }
    }
    return components;
  }
}
