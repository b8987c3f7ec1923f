package io.switchboard.persistence.agents;

import io.switchboard.persistence.agents.SelectorTerm.Operator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Which agents something is for: every term on attributes (identifying or non-identifying, from the
 * agent's description: a term holds if either kind of attribute satisfies it) and every term on
 * labels (set by operators) must hold. No terms at all matches every agent. Terms are kept sorted
 * and distinct, so equal selectors are equal records and print the same.
 */
public record Selector(List<SelectorTerm> attributes, List<SelectorTerm> labels) {

  public static final Selector ANY = new Selector(List.of(), List.of());

  public Selector {
    attributes = sorted(attributes);
    labels = sorted(labels);
  }

  /** Equalities only: today's {@code {"env": "prod"}} form. */
  public static Selector ofEqualities(Map<String, String> attributes, Map<String, String> labels) {
    return new Selector(equalities(attributes), equalities(labels));
  }

  /** Both parts in the Kubernetes grammar ({@link SelectorGrammar}); null reads as empty. */
  public static Selector parse(String attributes, String labels) {
    return new Selector(
        attributes == null ? List.of() : SelectorGrammar.parse(attributes),
        labels == null ? List.of() : SelectorGrammar.parse(labels));
  }

  public static Selector attribute(String key, String value) {
    return new Selector(List.of(SelectorTerm.equalTo(key, value)), List.of());
  }

  public static Selector label(String key, String value) {
    return new Selector(List.of(), List.of(SelectorTerm.equalTo(key, value)));
  }

  /** Both selectors' conditions together. */
  public Selector and(Selector other) {
    List<SelectorTerm> allAttributes = new ArrayList<>(attributes);
    allAttributes.addAll(other.attributes);
    List<SelectorTerm> allLabels = new ArrayList<>(labels);
    allLabels.addAll(other.labels);
    return new Selector(allAttributes, allLabels);
  }

  /** The attribute terms as the grammar writes them, sorted; empty for none. */
  public String attributesText() {
    return text(attributes);
  }

  /** The label terms as the grammar writes them, sorted; empty for none. */
  public String labelsText() {
    return text(labels);
  }

  /**
   * The stored form read by the SQL function {@code switchboard_selector_matches}: {@code
   * {"attributes": [{"key", "op", "values"}...], "labels": [...]}}, as plain maps for a JSON
   * writer.
   */
  public Map<String, Object> stored() {
    Map<String, Object> stored = new LinkedHashMap<>();
    stored.put("attributes", attributes.stream().map(Selector::storedTerm).toList());
    stored.put("labels", labels.stream().map(Selector::storedTerm).toList());
    return stored;
  }

  private static Map<String, Object> storedTerm(SelectorTerm term) {
    Map<String, Object> stored = new LinkedHashMap<>();
    stored.put("key", term.key());
    stored.put("op", term.operator().stored());
    stored.put("values", term.values());
    return stored;
  }

  /**
   * Adds this selector's SQL conditions on the {@code agents} table to {@code conditions}, binding
   * its values as parameters. Positive terms are served by indexes: equality and {@code in} by
   * containment ({@code @>}) on the jsonb_path_ops GIN indexes of description and labels (an {@code
   * in} is an OR of containments, a bitmap OR), existence by {@code ?} on the jsonb_ops GIN indexes
   * of labels and of each kind of attribute (V30). Negative terms ({@code !=}, {@code notin},
   * {@code !k}) filter the rows the positive ones found; a selector of negative terms alone reads
   * the table.
   */
  void addConditions(List<String> conditions, List<Object> parameters) {
    addConditions(conditions, parameters, "");
  }

  /** The same, on the agents table under a name ({@code prefix} is that name and a dot). */
  public void addConditions(List<String> conditions, List<Object> parameters, String prefix) {
    for (SelectorTerm term : attributes) {
      conditions.add(condition(term, parameters, prefix + "description", true));
    }
    for (SelectorTerm term : labels) {
      conditions.add(condition(term, parameters, prefix + "labels", false));
    }
  }

  /**
   * {@code column}: the description column for an attribute term, the labels column for a label.
   */
  private static String condition(
      SelectorTerm term, List<Object> parameters, String column, boolean attribute) {
    String description = column;
    String positive;
    if (term.operator() == Operator.EXISTS || term.operator() == Operator.NOT_EXISTS) {
      String key = bind(parameters, term.key()) + "::text";
      positive =
          attribute
              ? "("
                  + description
                  + "->'identifying_attributes' ? "
                  + key
                  + " OR "
                  + description
                  + "->'non_identifying_attributes' ? "
                  + key
                  + ")"
              : column + " ? " + key;
    } else {
      List<String> any = new ArrayList<>();
      for (String value : term.values()) {
        String pair =
            "jsonb_build_object("
                + bind(parameters, term.key())
                + "::text, "
                + bind(parameters, value)
                + "::text)";
        if (attribute) {
          any.add(description + " @> jsonb_build_object('identifying_attributes', " + pair + ")");
          any.add(
              description + " @> jsonb_build_object('non_identifying_attributes', " + pair + ")");
        } else {
          any.add(column + " @> " + pair);
        }
      }
      positive = "(" + String.join(" OR ", any) + ")";
    }
    // A missing description makes the positive test null: for a negative term that is "not there".
    return term.operator().negative() ? "NOT coalesce(" + positive + ", false)" : positive;
  }

  private static String bind(List<Object> parameters, Object value) {
    parameters.add(value);
    return "$" + parameters.size();
  }

  private static List<SelectorTerm> sorted(List<SelectorTerm> terms) {
    TreeSet<SelectorTerm> distinct = new TreeSet<>(SelectorTerm.ORDER);
    distinct.addAll(terms);
    return List.copyOf(distinct);
  }

  private static List<SelectorTerm> equalities(Map<String, String> pairs) {
    return pairs.entrySet().stream()
        .map(pair -> SelectorTerm.equalTo(pair.getKey(), pair.getValue()))
        .toList();
  }

  private static String text(List<SelectorTerm> terms) {
    return terms.stream().map(SelectorTerm::canonical).collect(Collectors.joining(","));
  }
}
