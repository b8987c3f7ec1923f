package io.switchboard.api.auth;

import static io.switchboard.api.auth.SignedIn.assertProblem;
import static io.switchboard.api.auth.SignedIn.bearer;
import static io.switchboard.api.auth.SignedIn.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.api.TestApi;
import io.switchboard.testkit.FleetTable;
import io.switchboard.testkit.HttpProbe;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** API tokens: made, used as Bearer on any /api route, audited, listed, revoked. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiTokenTest {

  private static final String ADMIN_PASSWORD = "correct horse battery";

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
                "switchboard.api.auth.tokens.max-lifetime",
                "30d",
                "switchboard.api.auth.tokens.default-lifetime",
                "7d"));
    admin = SignedIn.as(api.port(), "admin", ADMIN_PASSWORD);
  }

  @AfterAll
  void stopApi() {
    api.close();
  }

  @Test
  void aTokenIsShownOnceStoredAsAHashAndActsForItsOwnerWithoutCsrf() {
    HttpResponse<String> created =
        HttpProbe.send(
            api.port(),
            "POST",
            "/api/tokens",
            "{\"name\": \"deploy-bot\", \"role\": \"OPERATOR\"}",
            admin);
    assertEquals(201, created.statusCode(), created.body());
    JsonNode token = json(created);
    String secret = token.path("token").asText();
    assertTrue(secret.startsWith("sbt_"), secret);
    assertEquals("admin", token.path("owner").asText());
    Instant expires = Instant.parse(token.path("expires_at").asText());
    assertTrue(
        Duration.between(Instant.now(), expires).minus(Duration.ofDays(7)).abs().toMinutes() < 5,
        "the default lifetime: " + expires);
    String id = token.path("id").asText();
    assertEquals(
        "1",
        api.db()
            .queryForString(
                "SELECT count(*) FROM api_tokens WHERE token_hash = sha256(convert_to(?, 'UTF8'))"
                    + " AND id = ?::uuid",
                secret,
                id),
        "the table holds the token's SHA-256");
    HttpResponse<String> listed = HttpProbe.send(api.port(), "GET", "/api/tokens", "", admin);
    assertFalse(listed.body().contains(secret), "a list never shows a token");
    assertTrue(listed.body().contains(id), listed.body());

    String agent = UUID.randomUUID().toString();
    FleetTable.reported(api.db(), List.of(agent));
    assertEquals(
        200,
        HttpProbe.send(api.port(), "GET", "/api/agents/" + agent, "", bearer(secret)).statusCode());
    // No CSRF token: a browser never sends a bearer token by itself.
    HttpResponse<String> sent =
        HttpProbe.send(
            api.port(),
            "PUT",
            "/api/agents/" + agent + "/remote-config",
            "{\"config_map\": {\"c.yaml\": {\"body\": \"x: 1\"}}}",
            Map.of("Authorization", "Bearer " + secret, "X-CSRF-Token", ""));
    assertEquals(202, sent.statusCode(), sent.body());
    assertEquals(
        "admin (token deploy-bot)",
        api.db()
            .queryForString(
                "SELECT created_by FROM dispatch_envelopes WHERE instance_uid = ?", agent));
    assertEquals(
        "admin",
        api.db()
            .queryForString(
                "SELECT actor FROM audit_events WHERE action = 'token.create' AND target = ?",
                "token/" + id));
    assertNotNull(
        api.db().queryForString("SELECT last_used_at FROM api_tokens WHERE id = ?::uuid", id));
    assertEquals(
        200,
        HttpProbe.send(api.port(), "GET", "/api/session", "", bearer(secret)).statusCode(),
        "a token may ask who it is");

    assertEquals(
        204,
        HttpProbe.send(api.port(), "DELETE", "/api/tokens/" + id, "", bearer(secret)).statusCode());
    assertProblem(
        HttpProbe.send(api.port(), "GET", "/api/agents", "", bearer(secret)),
        401,
        "unknown, expired or revoked");
    assertEquals(
        "admin (token deploy-bot)",
        api.db()
            .queryForString(
                "SELECT actor FROM audit_events WHERE action = 'token.revoke' AND target = ?",
                "token/" + id));
  }

  @Test
  void aTokensRoleIsNoHigherThanItsCreatorsAndItsLifetimeIsBounded() {
    String viewer = "viewer-" + System.nanoTime();
    assertEquals(
        201,
        HttpProbe.send(
                api.port(),
                "POST",
                "/api/operators",
                "{\"username\": \""
                    + viewer
                    + "\", \"password\": \"a long viewer password\", \"role\": \"VIEWER\"}",
                admin)
            .statusCode());
    Map<String, String> asViewer = SignedIn.as(api.port(), viewer, "a long viewer password");
    assertProblem(
        HttpProbe.send(
            api.port(), "POST", "/api/tokens", "{\"name\": \"up\", \"role\": \"ADMIN\"}", asViewer),
        403,
        "cannot be above its creator's");
    assertProblem(
        HttpProbe.send(
            api.port(),
            "POST",
            "/api/tokens",
            "{\"name\": \"long\", \"expires_in\": \"P31D\"}",
            asViewer),
        400,
        "longest lifetime");
    assertProblem(
        HttpProbe.send(
            api.port(),
            "POST",
            "/api/tokens",
            "{\"name\": \"x\", \"expires_in\": \"soon\"}",
            asViewer),
        400,
        "ISO-8601");
    assertProblem(
        HttpProbe.send(api.port(), "POST", "/api/tokens", "{\"name\": \"\"}", asViewer),
        400,
        "name must be");
    HttpResponse<String> own =
        HttpProbe.send(api.port(), "POST", "/api/tokens", "{\"name\": \"reader\"}", asViewer);
    assertEquals(201, own.statusCode(), own.body());
    assertEquals("VIEWER", json(own).path("role").asText(), "the creator's role by default");
    String secret = json(own).path("token").asText();
    assertProblem(
        HttpProbe.send(
            api.port(),
            "POST",
            "/api/agents/" + UUID.randomUUID() + "/restart",
            "",
            bearer(secret)),
        403,
        "needs the OPERATOR role");

    // The viewer sees only their own tokens; the admin sees everyone's.
    HttpResponse<String> viewersList =
        HttpProbe.send(api.port(), "GET", "/api/tokens", "", asViewer);
    for (JsonNode token : json(viewersList).path("tokens")) {
      assertEquals(viewer, token.path("owner").asText());
    }
    assertTrue(
        HttpProbe.send(api.port(), "GET", "/api/tokens", "", admin).body().contains(viewer),
        "an admin lists everyone's tokens");

    // A demoted or disabled owner's token goes with them.
    assertEquals(
        200,
        HttpProbe.send(
                api.port(), "PATCH", "/api/operators/" + viewer, "{\"disabled\": true}", admin)
            .statusCode());
    assertProblem(
        HttpProbe.send(api.port(), "GET", "/api/agents", "", bearer(secret)),
        401,
        "unknown, expired or revoked");
  }

  @Test
  void aBadBearerIsRefusedAndApiAnswersAreNotCached() {
    assertProblem(
        HttpProbe.send(api.port(), "GET", "/api/agents", "", bearer("sbt_made-up")),
        401,
        "unknown, expired or revoked");
    assertProblem(
        HttpProbe.send(api.port(), "GET", "/api/agents", "", Map.of("Authorization", "Basic YTpi")),
        401,
        "Bearer");
    HttpResponse<String> any = HttpProbe.send(api.port(), "GET", "/api/agents", "", admin);
    assertEquals("no-store", any.headers().firstValue("Cache-Control").orElse(""));
    assertEquals("nosniff", any.headers().firstValue("X-Content-Type-Options").orElse(""));
    HttpResponse<String> refused = HttpProbe.get(api.port(), "/api/agents");
    assertEquals("no-store", refused.headers().firstValue("Cache-Control").orElse(""));
  }
}
