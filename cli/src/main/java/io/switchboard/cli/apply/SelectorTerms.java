package io.switchboard.cli.apply;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A selector reduced to the set of its terms, so that the file's way of writing one ({@code {env:
 * prod}}, {@code "env = prod"}, {@code "tier in (b, a)"}) compares equal to the server's canonical
 * text of the same selector: apply then changes nothing when nothing changed.
 */
final class SelectorTerms {

  private static final Pattern SET_TERM = Pattern.compile("(\\S+)\\s+(in|notin)\\s*\\((.*)\\)");

  private SelectorTerms() {}

  /** Both parts of a selector object: label terms and attribute terms, kept apart. */
  static List<SortedSet<String>> of(JsonNode selector) {
    return List.of(part(selector.path("labels")), part(selector.path("attributes")));
  }

  static SortedSet<String> part(JsonNode part) {
    SortedSet<String> terms = new TreeSet<>();
    if (part.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = part.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> entry = it.next();
        terms.add(entry.getKey() + "=" + entry.getValue().asText());
      }
    } else if (part.isTextual()) {
      for (String term : split(part.asText())) {
        if (!term.isBlank()) {
          terms.add(term(term.strip()));
        }
      }
    }
    return terms;
  }

  private static String term(String term) {
    Matcher set = SET_TERM.matcher(term);
    if (set.matches()) {
      List<String> values =
          Arrays.stream(set.group(3).split(",")).map(String::strip).sorted().toList();
      return set.group(1) + " " + set.group(2) + " (" + String.join(",", values) + ")";
    }
    return term.replaceAll("\\s+", "").replace("==", "=");
  }

  /** Splits on the commas that are not inside a value set's parentheses. */
  private static List<String> split(String text) {
    List<String> terms = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      } else if (c == ',' && depth == 0) {
        terms.add(text.substring(start, i));
        start = i + 1;
      }
    }
    terms.add(text.substring(start));
    return terms;
  }
}
