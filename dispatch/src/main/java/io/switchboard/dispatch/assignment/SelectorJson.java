package io.switchboard.dispatch.assignment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.persistence.agents.Selector;
import io.switchboard.persistence.agents.SelectorGrammar;
import io.switchboard.persistence.agents.SelectorTerm;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Selectors in JSON. Operators write each part ({@code labels}, {@code attributes}) as an object of
 * equalities ({@code {"env": "prod"}}) or as a Kubernetes selector string ({@code "env=prod,gpu"});
 * answers show each part as its canonical string; the database keeps the terms ({@link
 * Selector#stored}), which is also read here, as are the objects older rollouts stored.
 */
public final class SelectorJson {

  private SelectorJson() {}

  /**
   * The selector a request or a stored row holds; an {@link IllegalArgumentException} says which
   * part is wrong and why.
   */
  public static Selector read(JsonNode selector) {
    if (selector == null || selector.isNull() || selector.isMissingNode()) {
      return Selector.ANY;
    }
    if (!selector.isObject()) {
      throw new IllegalArgumentException(
          "a selector is an object: {\"labels\": ..., \"attributes\": ...}");
    }
    return new Selector(
        part("attributes", selector.get("attributes")), part("labels", selector.get("labels")));
  }

  private static List<SelectorTerm> part(String name, JsonNode part) {
    if (part == null || part.isNull()) {
      return List.of();
    }
    try {
      if (part.isTextual()) {
        return SelectorGrammar.parse(part.asText());
      }
      if (part.isArray()) {
        List<SelectorTerm> terms = new ArrayList<>();
        for (JsonNode term : part) {
          List<String> values = new ArrayList<>();
          term.path("values").forEach(value -> values.add(value.asText()));
          terms.add(
              new SelectorTerm(
                  term.path("key").asText(),
                  SelectorTerm.Operator.ofStored(term.path("op").asText()),
                  values));
        }
        return terms;
      }
      if (part.isObject()) {
        List<SelectorTerm> terms = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = part.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> entry = it.next();
          if (entry.getKey().isBlank() || !entry.getValue().isTextual()) {
            throw new IllegalArgumentException("keys must not be empty and values must be strings");
          }
          terms.add(SelectorTerm.equalTo(entry.getKey(), entry.getValue().asText()));
        }
        return terms;
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("selector " + name + ": " + e.getMessage(), e);
    }
    throw new IllegalArgumentException(
        "selector "
            + name
            + " is an object of equalities or a selector string such as \"env=prod,gpu\"");
  }

  /** As answers show it: {@code {"labels": "<canonical>", "attributes": "<canonical>"}}. */
  public static ObjectNode render(Selector selector, ObjectMapper json) {
    ObjectNode rendered = json.createObjectNode();
    rendered.put("labels", selector.labelsText());
    rendered.put("attributes", selector.attributesText());
    return rendered;
  }

  /** Renders a stored selector (JSON text). */
  public static ObjectNode render(String stored, ObjectMapper json) {
    try {
      return render(read(json.readTree(stored)), json);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("a stored selector is JSON", e);
    }
  }

  /** The selector a stored row holds (JSON text). */
  public static Selector stored(String storedJson, ObjectMapper json) {
    try {
      return read(json.readTree(storedJson));
    } catch (java.io.IOException e) {
      throw new IllegalStateException("a stored selector is JSON", e);
    }
  }

  /** As the database keeps it. */
  public static String stored(Selector selector, ObjectMapper json) {
    try {
      return json.writeValueAsString(selector.stored());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a selector writes as JSON", e);
    }
  }
}
