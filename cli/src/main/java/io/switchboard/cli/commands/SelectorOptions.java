package io.switchboard.cli.commands;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Which agents: a label selector and an attribute selector in the Kubernetes grammar the API takes
 * ({@code env=prod,ring in (canary,early),!legacy}), or {@code --label}/{@code --attribute} pairs,
 * which are equalities.
 */
public final class SelectorOptions {

  @Option(
      names = {"-l", "--selector"},
      paramLabel = "EXPR",
      description = "Over labels: env=prod,ring!=canary,tier in (a,b),zone notin (x),gpu,!legacy.")
  String labels;

  @Option(
      names = {"-a", "--attribute-selector"},
      paramLabel = "EXPR",
      description =
          "Over reported attributes, in the same grammar: service.name in (cart,checkout).")
  String attributes;

  @Option(names = "--label", paramLabel = "KEY=VALUE", description = "Agents with this label.")
  List<String> labelPairs;

  @Option(
      names = "--attribute",
      paramLabel = "KEY=VALUE",
      description = "Agents that reported this attribute.")
  List<String> attributePairs;

  /** True when any condition was given. */
  boolean given() {
    return labels != null
        || attributes != null
        || (labelPairs != null && !labelPairs.isEmpty())
        || (attributePairs != null && !attributePairs.isEmpty());
  }

  /** The API's {@code selector} object. */
  ObjectNode toJson(ObjectMapper json) {
    ObjectNode selector = json.createObjectNode();
    part(selector, "labels", labels, KeyValues.parse(labelPairs, "--label"));
    part(selector, "attributes", attributes, KeyValues.parse(attributePairs, "--attribute"));
    return selector;
  }

  private static void part(
      ObjectNode selector, String field, String expression, Map<String, String> pairs) {
    if (expression == null) {
      ObjectNode equalities = selector.putObject(field);
      pairs.forEach(equalities::put);
      return;
    }
    selector.put(field, expression(expression, pairs));
  }

  /**
   * One selector string: {@code expression} (may be null) and {@code pairs} as its equalities; null
   * when both are empty.
   */
  static String expression(String expression, Map<String, String> pairs) {
    StringBuilder joined = new StringBuilder(expression == null ? "" : expression.strip());
    pairs.forEach(
        (key, value) ->
            joined.append(joined.isEmpty() ? "" : ",").append(key).append('=').append(value));
    return joined.isEmpty() ? null : joined.toString();
  }
}
