package io.switchboard.api.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.testkit.HttpProbe;
import java.net.http.HttpResponse;
import java.util.Map;

/** Signing in over HTTP, and checking problem answers, for the sign-in tests. */
final class SignedIn {

  static final ObjectMapper JSON = new ObjectMapper();

  private SignedIn() {}

  static HttpResponse<String> login(int port, String username, String password) {
    return HttpProbe.send(
        port,
        "POST",
        "/api/session",
        "{\"username\": \"" + username + "\", \"password\": \"" + password + "\"}");
  }

  /** The headers a signed-in browser sends: its session cookie and its CSRF token. */
  static Map<String, String> as(int port, String username, String password) {
    HttpResponse<String> login = login(port, username, password);
    assertEquals(200, login.statusCode(), login.body());
    String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
    return Map.of("Cookie", cookie, "X-CSRF-Token", json(login).path("csrf_token").asText());
  }

  static Map<String, String> bearer(String token) {
    return Map.of("Authorization", "Bearer " + token);
  }

  static JsonNode json(HttpResponse<String> response) {
    try {
      return JSON.readTree(response.body());
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + response.body(), e);
    }
  }

  static void assertProblem(HttpResponse<String> response, int status, String detail) {
    assertEquals(status, response.statusCode(), response.body());
    assertEquals(
        "application/problem+json",
        response.headers().firstValue("Content-Type").orElse("").split(";")[0],
        response.body());
    assertTrue(json(response).path("detail").asText().contains(detail), response.body());
  }
}
