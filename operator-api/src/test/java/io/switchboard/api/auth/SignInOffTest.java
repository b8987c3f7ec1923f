package io.switchboard.api.auth;

import static io.switchboard.api.auth.SignedIn.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.api.TestApi;
import io.switchboard.testkit.HttpProbe;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** With sign-in off, changes still need a CSRF header, and no accounts or tokens are made. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SignInOffTest {

  private TestApi api;

  @BeforeAll
  void startApi() {
    api = TestApi.start();
  }

  @AfterAll
  void stopApi() {
    api.close();
  }

  @Test
  void changesNeedACsrfHeaderAndNoAccountsOrTokensAreMade() {
    assertProblem(
        HttpProbe.send(
            api.port(),
            "POST",
            "/api/configurations",
            "{\"name\": \"csrf\"}",
            Map.of("X-CSRF-Token", "")),
        403,
        "X-CSRF-Token");
    assertEquals(
        "0",
        api.db().queryForString("SELECT count(*) FROM configurations WHERE name = 'csrf'"),
        "refused: nothing stored");
    assertProblem(
        HttpProbe.send(
            api.port(),
            "POST",
            "/api/operators",
            "{\"username\": \"eve\", \"password\": \"a long enough one\", \"role\": \"ADMIN\"}"),
        409,
        "sign-in is turned off");
    assertProblem(
        HttpProbe.send(api.port(), "POST", "/api/tokens", "{\"name\": \"t\"}"),
        409,
        "sign-in is turned off");
    assertEquals("0", api.db().queryForString("SELECT count(*) FROM api_tokens"));
    assertEquals(
        "sign-in-off",
        SignedIn.json(HttpProbe.get(api.port(), "/api/session")).path("csrf_token").asText());
  }
}
