package io.switchboard.api.http;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Checks for the query parameters of list calls. Each throws {@link IllegalArgumentException} with
 * a message fit for the client (it becomes the detail of a 400).
 */
public final class QueryParameters {

  /** The page size when a list call names none. */
  public static final int DEFAULT_PAGE_SIZE = 100;

  private QueryParameters() {}

  /** A misspelt parameter is an error, not silently ignored. */
  public static void onlyKnown(Map<String, String> parameters, Set<String> known) {
    for (String name : parameters.keySet()) {
      if (!known.contains(name)) {
        throw new IllegalArgumentException("unknown parameter '" + name + "'; known: " + known);
      }
    }
  }

  /** {@code ?limit=}: 1 to {@code maxPageSize}, {@link #DEFAULT_PAGE_SIZE} when absent. */
  public static int limit(Map<String, String> parameters, int maxPageSize) {
    String value = parameters.get("limit");
    int limit;
    try {
      limit = value == null ? DEFAULT_PAGE_SIZE : Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("limit must be a whole number");
    }
    if (limit < 1 || limit > maxPageSize) {
      throw new IllegalArgumentException(
          "limit must be between 1 and " + maxPageSize + ", got " + limit);
    }
    return limit;
  }

  public static <E extends Enum<E>> E enumValue(Class<E> type, String name, String value) {
    try {
      return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          name
              + " must be one of "
              + Arrays.toString(type.getEnumConstants())
              + ", got '"
              + value
              + "'");
    }
  }

  public static UUID uuid(String name, String value) {
    try {
      return UUID.fromString(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(name + " must be a UUID, got '" + value + "'");
    }
  }

  public static long positiveLong(String name, String value) {
    try {
      long parsed = Long.parseLong(value);
      if (parsed > 0) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // falls through to the same message as a non-positive number
    }
    throw new IllegalArgumentException(
        name + " must be a positive whole number, got '" + value + "'");
  }

  /** An agent's instance_uid in its canonical text form (the entity id and the agents key). */
  public static String instanceUid(String value) {
    try {
      return UUID.fromString(value).toString();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + value + "' is not an instance_uid (a UUID)");
    }
  }
}
