package io.switchboard.cli.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class SelectorTermsTest {

  private final ObjectMapper json = new ObjectMapper();

  @Test
  void theFilesWayOfWritingASelectorEqualsTheServersCanonicalText() throws Exception {
    assertEquals(
        SelectorTerms.of(json.readTree("{\"labels\": {\"env\": \"prod\", \"ring\": \"canary\"}}")),
        SelectorTerms.of(
            json.readTree("{\"labels\": \"ring=canary,env=prod\", \"attributes\": \"\"}")));
    assertEquals(
        SelectorTerms.of(json.readTree("{\"labels\": \"tier in (b, a) , env == prod,!legacy\"}")),
        SelectorTerms.of(json.readTree("{\"labels\": \"!legacy,env=prod,tier in (a,b)\"}")));
  }

  @Test
  void aDifferentConditionOrPartIsADifference() throws Exception {
    assertNotEquals(
        SelectorTerms.of(json.readTree("{\"labels\": \"env=prod\"}")),
        SelectorTerms.of(json.readTree("{\"labels\": \"env!=prod\"}")));
    assertNotEquals(
        SelectorTerms.of(json.readTree("{\"labels\": \"env=prod\"}")),
        SelectorTerms.of(json.readTree("{\"attributes\": \"env=prod\"}")));
    assertNotEquals(
        SelectorTerms.of(json.readTree("{\"labels\": \"tier in (a,b)\"}")),
        SelectorTerms.of(json.readTree("{\"labels\": \"tier notin (a,b)\"}")));
  }
}
