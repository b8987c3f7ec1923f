package io.switchboard.api.auth;

import static io.switchboard.api.auth.SignedIn.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.TestApi;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Failed sign-ins are throttled per username and per client address; unknown users cost alike. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SignInThrottleTest {

  private static final String ADMIN_PASSWORD = "correct horse battery";

  private TestApi api;

  @BeforeAll
  void startApi() {
    api =
        TestApi.start(
            Map.of(
                "switchboard.api.auth.enabled",
                true,
                "switchboard.api.auth.admin-password",
                ADMIN_PASSWORD,
                "switchboard.api.auth.throttle.failures-per-user",
                3,
                "switchboard.api.auth.throttle.failures-per-address",
                8,
                "switchboard.api.auth.throttle.window",
                "10m"));
  }

  @AfterAll
  void stopApi() {
    api.close();
  }

  @Test
  void repeatedFailuresGet429WithRetryAfterPerUserThenPerAddress() {
    for (int i = 0; i < 3; i++) {
      assertProblem(SignedIn.login(api.port(), "admin", "wrong " + i), 401, "wrong username");
    }
    HttpResponse<String> throttled = SignedIn.login(api.port(), "admin", ADMIN_PASSWORD);
    assertProblem(throttled, 429, "too many failed sign-ins");
    long retryAfter = Long.parseLong(throttled.headers().firstValue("Retry-After").orElseThrow());
    assertTrue(retryAfter > 0 && retryAfter <= 600, "Retry-After " + retryAfter);

    // Other names from the same address still get tried, until the address's own limit.
    for (int i = 0; i < 5; i++) {
      assertProblem(SignedIn.login(api.port(), "nobody-" + i, "wrong"), 401, "wrong username");
    }
    assertProblem(SignedIn.login(api.port(), "nobody-else", "wrong"), 429, "too many");
    assertEquals(
        "0",
        api.db().queryForString("SELECT count(*) FROM operator_sessions"),
        "no session was started");
  }

  @Test
  void anUnknownUserCostsAsMuchAsAWrongPassword() {
    Passwords.hash("warm up the JIT");
    long wrong = Long.MAX_VALUE;
    long unknown = Long.MAX_VALUE;
    // A fresh API with the default throttle (5 failures per name, 20 per address): four of each
    // stay below both. The fastest of four tries each, to keep a busy machine's noise out.
    try (TestApi fresh =
        TestApi.start(
            Map.of(
                "switchboard.api.auth.enabled",
                true,
                "switchboard.api.auth.admin-password",
                ADMIN_PASSWORD))) {
      for (int i = 0; i < 4; i++) {
        long started = System.nanoTime();
        assertProblem(SignedIn.login(fresh.port(), "admin", "wrong"), 401, "wrong username");
        wrong = Math.min(wrong, System.nanoTime() - started);
        started = System.nanoTime();
        assertProblem(SignedIn.login(fresh.port(), "ghost-" + i, "wrong"), 401, "wrong username");
        unknown = Math.min(unknown, System.nanoTime() - started);
      }
    }
    // Both derive one 600,000-iteration key (hundreds of ms); a lookup that skipped it answers in a
    // few ms, far below a third of a wrong password's time.
    assertTrue(
        unknown * 3 > wrong,
        "an unknown user took "
            + unknown / 1_000_000
            + " ms, a wrong password "
            + wrong / 1_000_000
            + " ms");
  }
}
