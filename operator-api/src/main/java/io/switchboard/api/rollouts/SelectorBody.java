package io.switchboard.api.rollouts;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.dispatch.assignment.SelectorJson;
import io.switchboard.persistence.agents.Selector;

/**
 * A selector as operators write it: each of {@code attributes} and {@code labels} is an object of
 * equalities ({@code {"service.name": "checkout"}}) or a Kubernetes selector string ({@code
 * "env=prod,ring!=canary,tier in (a,b),gpu,!legacy"}).
 */
public record SelectorBody(
    @JsonProperty("attributes") JsonNode attributes, @JsonProperty("labels") JsonNode labels) {

  /** What is wrong with it (naming the part, position and term), or null. */
  public String problem() {
    try {
      toSelector();
      return null;
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
  }

  public Selector toSelector() {
    ObjectMapper json = new ObjectMapper();
    var node = json.createObjectNode();
    node.set("attributes", attributes);
    node.set("labels", labels);
    return SelectorJson.read(node);
  }
}
