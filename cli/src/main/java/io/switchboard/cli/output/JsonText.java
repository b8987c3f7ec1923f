package io.switchboard.cli.output;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;
import java.util.StringJoiner;

/** Reading the API's JSON for tables: absent and null fields read as empty. */
public final class JsonText {

  private JsonText() {}

  /** The text at a JSON pointer ({@code /description/identifying_attributes/service.name}). */
  public static String at(JsonNode node, String pointer) {
    JsonNode value = node.at(pointer);
    return value.isMissingNode() || value.isNull() ? "" : value.asText();
  }

  /** An object's entries as {@code k=v,k=v}. */
  public static String pairs(JsonNode object) {
    if (object == null || !object.isObject()) {
      return "";
    }
    StringJoiner pairs = new StringJoiner(",");
    for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      pairs.add(entry.getKey() + "=" + entry.getValue().asText());
    }
    return pairs.toString();
  }

  /** The array named {@code field} of a page ({@code {"agents": [...], "next": ...}}). */
  public static Iterable<JsonNode> items(JsonNode page, String field) {
    JsonNode items = page.path(field);
    return items.isArray() ? items : java.util.List.of();
  }
}
