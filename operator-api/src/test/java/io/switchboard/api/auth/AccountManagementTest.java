package io.switchboard.api.auth;

import static io.switchboard.api.auth.SignedIn.assertProblem;
import static io.switchboard.api.auth.SignedIn.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.TestApi;
import io.switchboard.testkit.HttpProbe;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** An admin manages accounts and their sessions; everyone changes their own password. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccountManagementTest {

  private static final String ADMIN_PASSWORD = "correct horse battery";
  private static final String PASSWORD = "a long enough password";

  private TestApi api;
  private Map<String, String> admin;

  @BeforeAll
  void startApi() {
    api =
        TestApi.start(
            Map.of(
                "switchboard.api.auth.enabled",
                true,
                "switchboard.api.auth.admin-password",
                ADMIN_PASSWORD,
                "switchboard.api.auth.throttle.failures-per-address",
                1000));
    admin = SignedIn.as(api.port(), "admin", ADMIN_PASSWORD);
  }

  @AfterAll
  void stopApi() {
    api.close();
  }

  @Test
  void anAdminChangesRolesDisablesRevokesSessionsAndDeletesAccounts() {
    String name = account("OPERATOR");
    Map<String, String> operator = SignedIn.as(api.port(), name, PASSWORD);
    assertProblem(
        HttpProbe.send(
            api.port(), "PATCH", "/api/operators/admin", "{\"role\": \"VIEWER\"}", operator),
        403,
        "needs the ADMIN role");

    HttpResponse<String> demoted =
        HttpProbe.send(
            api.port(), "PATCH", "/api/operators/" + name, "{\"role\": \"VIEWER\"}", admin);
    assertEquals(200, demoted.statusCode(), demoted.body());
    assertEquals("VIEWER", json(demoted).path("role").asText());
    assertProblem(
        HttpProbe.send(api.port(), "POST", "/api/agents/x/restart", "", operator),
        403,
        "is VIEWER");
    assertTrue(
        audit(name).contains("\"action\":\"operator.update\""), "the role change is audited");
    assertProblem(
        HttpProbe.send(
            api.port(), "PATCH", "/api/operators/" + name, "{\"role\": \"KING\"}", admin),
        400,
        "role must be");

    HttpResponse<String> revoked =
        HttpProbe.send(api.port(), "DELETE", "/api/operators/" + name + "/sessions", "", admin);
    assertEquals(200, revoked.statusCode(), revoked.body());
    assertEquals(1, json(revoked).path("sessions_ended").asInt());
    assertProblem(
        HttpProbe.send(api.port(), "GET", "/api/agents", "", operator), 401, "session ended");
    assertTrue(audit(name).contains("operator.sessions.revoke"));

    Map<String, String> again = SignedIn.as(api.port(), name, PASSWORD);
    assertEquals(
        200,
        HttpProbe.send(api.port(), "PATCH", "/api/operators/" + name, "{\"disabled\": true}", admin)
            .statusCode());
    assertProblem(
        HttpProbe.send(api.port(), "GET", "/api/agents", "", again), 401, "session ended");
    assertProblem(SignedIn.login(api.port(), name, PASSWORD), 401, "wrong username or password");

    assertProblem(
        HttpProbe.send(api.port(), "DELETE", "/api/operators/admin", "", admin),
        409,
        "cannot delete themselves");
    assertEquals(
        204,
        HttpProbe.send(api.port(), "DELETE", "/api/operators/" + name, "", admin).statusCode());
    assertProblem(
        HttpProbe.send(api.port(), "DELETE", "/api/operators/" + name, "", admin),
        404,
        "no operator named");
    assertTrue(audit(name).contains("operator.delete"));
  }

  @Test
  void everyoneChangesTheirOwnPassword() {
    String name = account("VIEWER");
    Map<String, String> viewer = SignedIn.as(api.port(), name, PASSWORD);
    assertProblem(
        HttpProbe.send(
            api.port(),
            "PUT",
            "/api/session/password",
            "{\"current_password\": \"not it at all\", \"new_password\": \"a brand new password\"}",
            viewer),
        403,
        "current password is wrong");
    assertProblem(
        HttpProbe.send(
            api.port(),
            "PUT",
            "/api/session/password",
            "{\"current_password\": \"" + PASSWORD + "\", \"new_password\": \"short\"}",
            viewer),
        400,
        "at least 12");
    assertEquals(
        204,
        HttpProbe.send(
                api.port(),
                "PUT",
                "/api/session/password",
                "{\"current_password\": \""
                    + PASSWORD
                    + "\", \"new_password\": \"a brand new password\"}",
                viewer)
            .statusCode());
    assertProblem(SignedIn.login(api.port(), name, PASSWORD), 401, "wrong username or password");
    SignedIn.as(api.port(), name, "a brand new password");
    assertTrue(audit(name).contains("\"action\":\"operator.password\""));
  }

  @Test
  void anOldHashIsMadeAgainWithTodaysIterationsAtTheNextSignIn() {
    String name = "old-" + System.nanoTime();
    api.db()
        .execute(
            "INSERT INTO operators (username, password_hash, role) VALUES ('"
                + name
                + "', '"
                + Passwords.hash(PASSWORD, 1_000)
                + "', 'VIEWER')");
    SignedIn.as(api.port(), name, PASSWORD);
    assertEquals(
        "pbkdf2-sha256$600000",
        api.db()
            .queryForString(
                "SELECT split_part(password_hash, '$', 1) || '$' || split_part(password_hash, '$',"
                    + " 2) FROM operators WHERE username = ?",
                name));
    SignedIn.as(api.port(), name, PASSWORD);
  }

  private String account(String role) {
    String name = role.toLowerCase() + "-" + System.nanoTime();
    HttpResponse<String> created =
        HttpProbe.send(
            api.port(),
            "POST",
            "/api/operators",
            "{\"username\": \""
                + name
                + "\", \"password\": \""
                + PASSWORD
                + "\", \"role\": \""
                + role
                + "\"}",
            admin);
    assertEquals(201, created.statusCode(), created.body());
    return name;
  }

  private String audit(String name) {
    return HttpProbe.send(api.port(), "GET", "/api/audit?target=operator/" + name, "", admin)
        .body();
  }
}
