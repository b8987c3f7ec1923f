package io.switchboard.persistence.agents;

import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

/**
 * One condition of a selector on one key, in its normal form: {@code =} and {@code !=} are {@code
 * in} and {@code notin} of one value, values are sorted and distinct, so that equal conditions are
 * equal records and print the same.
 */
public record SelectorTerm(String key, Operator operator, List<String> values) {

  /** What a term asks of a key. */
  public enum Operator {
    /** The key has one of the values ({@code k=v}, {@code k==v}, {@code k in (a,b)}). */
    IN,
    /** The key is absent or has none of the values ({@code k!=v}, {@code k notin (a,b)}). */
    NOT_IN,
    /** The key is there ({@code k}). */
    EXISTS,
    /** The key is not there ({@code !k}). */
    NOT_EXISTS;

    /** The name stored in selectors' JSON and read by the SQL function that evaluates them. */
    public String stored() {
      return switch (this) {
        case IN -> "in";
        case NOT_IN -> "notin";
        case EXISTS -> "exists";
        case NOT_EXISTS -> "!exists";
      };
    }

    public static Operator ofStored(String name) {
      for (Operator operator : values()) {
        if (operator.stored().equals(name)) {
          return operator;
        }
      }
      throw new IllegalArgumentException("no selector operator " + name);
    }

    boolean negative() {
      return this == NOT_IN || this == NOT_EXISTS;
    }
  }

  static final Comparator<SelectorTerm> ORDER =
      Comparator.comparing(SelectorTerm::key)
          .thenComparing(SelectorTerm::operator)
          .thenComparing(term -> String.join("\u0000", term.values()));

  public SelectorTerm {
    values = List.copyOf(new TreeSet<>(values));
    if ((operator == Operator.EXISTS || operator == Operator.NOT_EXISTS) != values.isEmpty()) {
      throw new IllegalArgumentException(
          "a selector term on '" + key + "' has the wrong number of values for " + operator);
    }
  }

  public static SelectorTerm equalTo(String key, String value) {
    return new SelectorTerm(key, Operator.IN, List.of(value));
  }

  /** The term as the grammar writes it, in its canonical form. */
  public String canonical() {
    return switch (operator) {
      case IN -> values.size() == 1 ? key + "=" + values.get(0) : key + " in (" + list() + ")";
      case NOT_IN ->
          values.size() == 1 ? key + "!=" + values.get(0) : key + " notin (" + list() + ")";
      case EXISTS -> key;
      case NOT_EXISTS -> "!" + key;
    };
  }

  private String list() {
    return String.join(",", values);
  }
}
