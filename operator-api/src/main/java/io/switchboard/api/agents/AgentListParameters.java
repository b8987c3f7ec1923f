package io.switchboard.api.agents;

import io.switchboard.api.http.QueryParameters;
import io.switchboard.persistence.agents.AgentQuery;
import io.switchboard.persistence.agents.AgentRecord;
import io.switchboard.persistence.agents.Selector;
import io.switchboard.persistence.agents.SelectorGrammar;
import io.switchboard.persistence.agents.SelectorTerm;
import io.switchboard.persistence.status.ConnectionState;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The query string of {@code GET /api/agents} as an {@link AgentQuery}: {@code connection_state},
 * {@code healthy}, {@code attribute} and {@code label} (selectors), {@code remote_config_status},
 * {@code sort} ({@code instance_uid} or {@code newest}), {@code limit} and {@code after} (the
 * opaque cursor a page returns as {@code next}). Anything else, or a bad value, is refused with a
 * message saying what.
 */
final class AgentListParameters {

  private static final Set<String> KNOWN =
      Set.of(
          "connection_state",
          "healthy",
          "attribute",
          "label",
          "remote_config_status",
          "sort",
          "limit",
          "after");

  private AgentListParameters() {}

  static AgentQuery parse(Map<String, String> parameters, int maxPageSize) {
    QueryParameters.onlyKnown(parameters, KNOWN);
    return new AgentQuery(
        Optional.ofNullable(parameters.get("connection_state"))
            .map(AgentListParameters::connectionState),
        Optional.ofNullable(parameters.get("healthy")).map(AgentListParameters::bool),
        selector(parameters),
        Optional.ofNullable(parameters.get("remote_config_status"))
            .map(status -> status.toUpperCase(Locale.ROOT)),
        Optional.ofNullable(parameters.get("sort"))
            .map(AgentListParameters::sort)
            .orElse(AgentQuery.Sort.INSTANCE_UID),
        Optional.ofNullable(parameters.get("after")).map(AgentListParameters::cursor),
        QueryParameters.limit(parameters, maxPageSize));
  }

  /** The cursor that continues after {@code last}. */
  static String cursorAfter(AgentRecord last) {
    String key = last.firstSeen() + "|" + last.instanceUid();
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(key.getBytes(StandardCharsets.UTF_8));
  }

  private static AgentQuery.Cursor cursor(String encoded) {
    try {
      String[] key =
          new String(Base64.getUrlDecoder().decode(encoded), StandardCharsets.UTF_8)
              .split("\\|", 2);
      return new AgentQuery.Cursor(Instant.parse(key[0]), key[1]);
    } catch (IllegalArgumentException | DateTimeParseException | ArrayIndexOutOfBoundsException e) {
      throw new IllegalArgumentException(
          "after must be a 'next' value returned by a previous page");
    }
  }

  private static ConnectionState connectionState(String value) {
    try {
      return ConnectionState.valueOf(value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("connection_state must be CONNECTED or DISCONNECTED");
    }
  }

  private static boolean bool(String value) {
    if (!value.equals("true") && !value.equals("false")) {
      throw new IllegalArgumentException("healthy must be true or false");
    }
    return Boolean.parseBoolean(value);
  }

  /**
   * {@code attribute} and {@code label} in the selector grammar the preview and assignments take
   * ({@code env=prod,ring in (a,b),!legacy}); a bare {@code key=value} is its equality.
   */
  private static Selector selector(Map<String, String> parameters) {
    return new Selector(terms(parameters, "attribute"), terms(parameters, "label"));
  }

  private static List<SelectorTerm> terms(Map<String, String> parameters, String name) {
    String text = parameters.get(name);
    if (text == null) {
      return List.of();
    }
    try {
      return SelectorGrammar.parse(text);
    } catch (SelectorGrammar.SyntaxError e) {
      throw new IllegalArgumentException(name + ": " + e.getMessage());
    }
  }

  private static AgentQuery.Sort sort(String value) {
    return switch (value) {
      case "instance_uid" -> AgentQuery.Sort.INSTANCE_UID;
      case "newest" -> AgentQuery.Sort.NEWEST;
      default -> throw new IllegalArgumentException("sort must be instance_uid or newest");
    };
  }
}
