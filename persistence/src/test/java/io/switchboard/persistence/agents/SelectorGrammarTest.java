package io.switchboard.persistence.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.persistence.agents.SelectorTerm.Operator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SelectorGrammarTest {

  @Test
  void everyOperatorIsRead() {
    assertEquals(
        List.of(
            new SelectorTerm("env", Operator.IN, List.of("prod")),
            new SelectorTerm("ring", Operator.NOT_IN, List.of("canary")),
            new SelectorTerm("tier", Operator.IN, List.of("a", "b")),
            new SelectorTerm("zone", Operator.NOT_IN, List.of("x", "y")),
            new SelectorTerm("gpu", Operator.EXISTS, List.of()),
            new SelectorTerm("legacy", Operator.NOT_EXISTS, List.of()),
            new SelectorTerm("os", Operator.IN, List.of("linux"))),
        SelectorGrammar.parse(
            "env=prod,ring!=canary,tier in (a,b),zone notin (x, y),gpu,!legacy,os==linux"));
  }

  @Test
  void spacesAroundTermsAndOperatorsDoNotMatter() {
    assertEquals(
        SelectorGrammar.parse("env=prod,tier in (a,b),!legacy"),
        SelectorGrammar.parse("  env = prod ,  tier in(a , b), ! legacy "));
  }

  @Test
  void emptyTextHasNoTermsAndAnEmptyValueIsAValue() {
    assertTrue(SelectorGrammar.parse("").isEmpty());
    assertTrue(SelectorGrammar.parse("   ").isEmpty());
    assertEquals(
        List.of(new SelectorTerm("env", Operator.IN, List.of(""))), SelectorGrammar.parse("env="));
  }

  @Test
  void keysAndValuesMayHoldDotsSlashesAndColons() {
    assertEquals(
        List.of(
            new SelectorTerm("service.name", Operator.IN, List.of("checkout")),
            new SelectorTerm("k8s.io/zone", Operator.IN, List.of("eu-west-1:a"))),
        SelectorGrammar.parse("service.name=checkout,k8s.io/zone=eu-west-1:a"));
  }

  @Test
  void equalSelectorsPrintTheSameCanonicalText() {
    Selector one = Selector.parse("", "tier in (b,a),env==prod,!legacy,gpu,ring notin (x)");
    Selector other =
        Selector.parse(null, "ring notin(x), gpu, !legacy, env=prod, tier in (a, b, a)");
    assertEquals(one, other);
    assertEquals("env=prod,gpu,!legacy,ring!=x,tier in (a,b)", one.labelsText());
    assertEquals(one.labelsText(), other.labelsText());
    assertEquals(one, Selector.parse("", one.labelsText()));
    assertEquals(
        Selector.ofEqualities(Map.of("service.name", "checkout"), Map.of("env", "prod")),
        Selector.parse("service.name=checkout", "env=prod"));
  }

  @Test
  void errorsNameThePositionAndTheTerm() {
    assertError(
        "env=prod,tier in (a,b",
        "at position 22 (at the end): expected ',' or ')'",
        "tier in (a,b");
    assertError("env=prod,,gpu", "at position 10: expected a key", "");
    assertError(
        "env=prod,tier is (a)",
        "at position 15: expected '=', '==', '!=', 'in', 'notin'",
        "tier is (a)");
    assertError("tier in a", "at position 9: expected '(' to open the list", "tier in a");
    assertError("env!prod", "at position 5: expected '=' after '!'", "env!prod");
    assertError("env=prod gpu", "at position 10: expected ',' between terms", "env=prod gpu");
    assertError("tier in ()", "at position 10: expected a value", "tier in ()");
    assertError("!", "at position 2 (at the end): expected a key after '!'", "!");
  }

  @Test
  void anOverlongSelectorIsRefused() {
    assertThrows(
        SelectorGrammar.SyntaxError.class,
        () -> SelectorGrammar.parse("k=" + "v".repeat(SelectorGrammar.MAX_LENGTH)));
  }

  private static void assertError(String text, String where, String term) {
    SelectorGrammar.SyntaxError error =
        assertThrows(SelectorGrammar.SyntaxError.class, () -> SelectorGrammar.parse(text));
    assertTrue(error.getMessage().startsWith(where), error.getMessage());
    assertTrue(error.getMessage().endsWith("in term '" + term + "'"), error.getMessage());
  }
}
