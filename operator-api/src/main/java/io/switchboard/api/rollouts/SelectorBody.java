package io.switchboard.api.rollouts;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.switchboard.persistence.agents.Selector;
import java.util.Map;

/**
 * A selector as operators write it: {@code {"attributes": {"service.name": "checkout"}, "labels":
 * {"env": "prod"}}}.
 */
record SelectorBody(
    @JsonProperty("attributes") Map<String, String> attributes,
    @JsonProperty("labels") Map<String, String> labels) {

  String problem() {
    for (Map<String, String> part :
        new Map[] {
          attributes == null ? Map.of() : attributes, labels == null ? Map.of() : labels
        }) {
      for (Map.Entry<String, String> entry : part.entrySet()) {
        if (entry.getKey().isBlank() || entry.getValue() == null) {
          return "selector keys must not be empty and values must be strings";
        }
      }
    }
    return null;
  }

  Selector toSelector() {
    return new Selector(
        attributes == null ? Map.of() : attributes, labels == null ? Map.of() : labels);
  }
}
