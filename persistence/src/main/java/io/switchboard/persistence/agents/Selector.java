package io.switchboard.persistence.agents;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which agents something is for: every attribute (identifying or non-identifying, from the agent's
 * description) and every label (set by operators) must match. No conditions at all matches every
 * agent.
 */
public record Selector(Map<String, String> attributes, Map<String, String> labels) {

  public static final Selector ANY = new Selector(Map.of(), Map.of());

  public Selector {
    attributes = Map.copyOf(attributes);
    labels = Map.copyOf(labels);
  }

  public static Selector attribute(String key, String value) {
    return new Selector(Map.of(key, value), Map.of());
  }

  public static Selector label(String key, String value) {
    return new Selector(Map.of(), Map.of(key, value));
  }

  /** Both selectors' conditions together. */
  public Selector and(Selector other) {
    Map<String, String> allAttributes = new TreeMap<>(attributes);
    allAttributes.putAll(other.attributes);
    Map<String, String> allLabels = new TreeMap<>(labels);
    allLabels.putAll(other.labels);
    return new Selector(allAttributes, allLabels);
  }

  /**
   * Adds this selector's SQL conditions on the {@code agents} table to {@code conditions}, binding
   * its values as parameters. Containment ({@code @>}) lets the GIN indexes on description and
   * labels serve it.
   */
  void addConditions(List<String> conditions, List<Object> parameters) {
    for (Map.Entry<String, String> attribute : new TreeMap<>(attributes).entrySet()) {
      String match = "jsonb_build_object(" + pair(parameters, attribute) + ")";
      conditions.add(
          "(description @> jsonb_build_object('identifying_attributes', "
              + match
              + ")"
              + " OR description @> jsonb_build_object('non_identifying_attributes', "
              + match
              + "))");
    }
    if (!labels.isEmpty()) {
      List<String> pairs =
          new TreeMap<>(labels).entrySet().stream().map(label -> pair(parameters, label)).toList();
      conditions.add("labels @> jsonb_build_object(" + String.join(", ", pairs) + ")");
    }
  }

  private static String pair(List<Object> parameters, Map.Entry<String, String> entry) {
    parameters.add(entry.getKey());
    parameters.add(entry.getValue());
    return "$" + (parameters.size() - 1) + "::text, $" + parameters.size() + "::text";
  }
}
