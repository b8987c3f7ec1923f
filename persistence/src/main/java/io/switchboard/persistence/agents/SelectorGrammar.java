package io.switchboard.persistence.agents;

import io.switchboard.persistence.agents.SelectorTerm.Operator;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads selector terms written as Kubernetes label selectors: {@code env=prod,ring!=canary,tier in
 * (a,b),zone notin (x),gpu,!legacy}. Terms are separated by commas and all must hold; {@code =} and
 * {@code ==} both mean equal. A key or value is any run of characters other than whitespace and
 * {@code , ( ) = !}; a value may be empty ({@code k=}). Errors name the position (from 1) and the
 * term.
 */
public final class SelectorGrammar {

  /** Longest selector text accepted, so a request cannot make the parser or the query huge. */
  public static final int MAX_LENGTH = 4096;

  /** Thrown for text that is not a selector; the message says where and why. */
  public static final class SyntaxError extends IllegalArgumentException {
    SyntaxError(String message) {
      super(message);
    }
  }

  private final String text;
  private int at;
  private int termStart;

  private SelectorGrammar(String text) {
    this.text = text;
  }

  /** The terms of {@code text}; an empty or blank text has none (it matches every agent). */
  public static List<SelectorTerm> parse(String text) {
    if (text.length() > MAX_LENGTH) {
      throw new SyntaxError("a selector is at most " + MAX_LENGTH + " characters");
    }
    return new SelectorGrammar(text).terms();
  }

  private List<SelectorTerm> terms() {
    List<SelectorTerm> terms = new ArrayList<>();
    skipSpaces();
    if (at == text.length()) {
      return terms;
    }
    while (true) {
      terms.add(term());
      skipSpaces();
      if (at == text.length()) {
        return terms;
      }
      expect(',', "',' between terms");
    }
  }

  private SelectorTerm term() {
    skipSpaces();
    termStart = at;
    if (peek() == '!') {
      at++;
      skipSpaces();
      String key = word("a key after '!'");
      return new SelectorTerm(key, Operator.NOT_EXISTS, List.of());
    }
    String key = word("a key");
    skipSpaces();
    char next = peek();
    if (next == '=') {
      at++;
      if (peek() == '=') {
        at++;
      }
      return new SelectorTerm(key, Operator.IN, List.of(value()));
    }
    if (next == '!') {
      at++;
      expect('=', "'=' after '!'");
      return new SelectorTerm(key, Operator.NOT_IN, List.of(value()));
    }
    if (next == ',' || next == 0) {
      return new SelectorTerm(key, Operator.EXISTS, List.of());
    }
    int wordAt = at;
    String operator = word("an operator");
    if (operator.equals("in") || operator.equals("notin")) {
      return new SelectorTerm(
          key, operator.equals("in") ? Operator.IN : Operator.NOT_IN, valueList());
    }
    at = wordAt;
    throw error(
        "expected '=', '==', '!=', 'in', 'notin', ',' or the end, found '" + operator + "'");
  }

  private String value() {
    skipSpaces();
    int start = at;
    while (at < text.length() && isWordChar(text.charAt(at))) {
      at++;
    }
    return text.substring(start, at);
  }

  private List<String> valueList() {
    skipSpaces();
    expect('(', "'(' to open the list of values");
    List<String> values = new ArrayList<>();
    while (true) {
      skipSpaces();
      values.add(word("a value"));
      skipSpaces();
      if (peek() == ')') {
        at++;
        return values;
      }
      expect(',', "',' or ')' in the list of values");
    }
  }

  private String word(String what) {
    int start = at;
    while (at < text.length() && isWordChar(text.charAt(at))) {
      at++;
    }
    if (start == at) {
      throw error("expected " + what);
    }
    return text.substring(start, at);
  }

  private void expect(char wanted, String what) {
    if (peek() != wanted) {
      throw error("expected " + what);
    }
    at++;
  }

  private char peek() {
    return at < text.length() ? text.charAt(at) : 0;
  }

  private void skipSpaces() {
    while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
      at++;
    }
  }

  private static boolean isWordChar(char c) {
    return !Character.isWhitespace(c) && c != ',' && c != '(' && c != ')' && c != '=' && c != '!';
  }

  private SyntaxError error(String why) {
    int end = text.indexOf(',', at);
    String term = text.substring(termStart, end < 0 ? text.length() : Math.max(end, at)).strip();
    String found = at < text.length() ? "" : " (at the end)";
    return new SyntaxError(
        "at position " + (at + 1) + found + ": " + why + " in term '" + term + "'");
  }
}
