package io.switchboard.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * The operator API over HTTP, with the token as {@code Authorization: Bearer}. Every answer outside
 * 2xx becomes a {@link CliException} carrying the server's problem detail and the exit code for its
 * status; a server that cannot be reached becomes {@link ExitCode#UNREACHABLE}.
 */
public final class ApiClient {

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  /**
   * Sent with every change. A node with sign-in off still asks for the header (a page on another
   * site cannot add it); with a session it must be that session's token; with a bearer token it is
   * not looked at.
   */
  private static final String CSRF_HEADER = "X-CSRF-Token";

  private final String server;
  private final String token;
  private final ObjectMapper json;
  private final HttpClient http;
  private final String csrf;

  public ApiClient(String server, String token, ObjectMapper json) {
    this(
        server,
        token,
        json,
        HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build(),
        "switchboard-cli");
  }

  private ApiClient(String server, String token, ObjectMapper json, HttpClient http, String csrf) {
    this.server = server;
    this.token = token;
    this.json = json;
    this.http = http;
    this.csrf = csrf;
  }

  /**
   * Signs in with a password, as the dashboard does: the client that comes back carries the
   * session's cookie and CSRF token, for the calls that need a person rather than a token (making
   * the first token).
   */
  public static ApiClient signIn(
      String server, ObjectMapper json, String username, String password) {
    HttpClient http =
        HttpClient.newBuilder()
            .connectTimeout(CONNECT_TIMEOUT)
            .cookieHandler(new CookieManager())
            .build();
    ApiClient anonymous = new ApiClient(server, null, json, http, "switchboard-cli");
    JsonNode session =
        anonymous.post(
            "/api/session",
            json.createObjectNode().put("username", username).put("password", password));
    return new ApiClient(server, null, json, http, session.path("csrf_token").asText());
  }

  public String server() {
    return server;
  }

  public JsonNode get(String path) {
    return send("GET", path, null);
  }

  /** The resource at {@code path}, or empty when the server has none (404). */
  public Optional<JsonNode> find(String path) {
    try {
      return Optional.of(get(path));
    } catch (CliException e) {
      if (e.exitCode() == ExitCode.NOT_FOUND) {
        return Optional.empty();
      }
      throw e;
    }
  }

  public JsonNode post(String path, Object body) {
    return send("POST", path, body);
  }

  public JsonNode put(String path, Object body) {
    return send("PUT", path, body);
  }

  public JsonNode patch(String path, Object body) {
    return send("PATCH", path, body);
  }

  public JsonNode delete(String path) {
    return send("DELETE", path, null);
  }

  /** The answer's JSON body, or a JSON null when it has none (204). */
  public JsonNode send(String method, String path, Object body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri(path))
            .timeout(REQUEST_TIMEOUT)
            .header("Accept", "application/json");
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    if (!"GET".equals(method)) {
      request.header(CSRF_HEADER, csrf);
    }
    if (body == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      request.header("Content-Type", "application/json");
      request.method(method, HttpRequest.BodyPublishers.ofByteArray(bytes(body)));
    }
    HttpResponse<byte[]> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (HttpConnectTimeoutException | ConnectException e) {
      throw new CliException(ExitCode.UNREACHABLE, "cannot reach " + server + ": " + reason(e), e);
    } catch (HttpTimeoutException e) {
      throw new CliException(
          ExitCode.UNREACHABLE,
          server + " did not answer " + method + " " + path + " within " + REQUEST_TIMEOUT,
          e);
    } catch (IOException e) {
      throw new CliException(ExitCode.UNREACHABLE, "cannot reach " + server + ": " + reason(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException(ExitCode.FAILED, "interrupted", e);
    }
    int status = response.statusCode();
    if (status >= 200 && status < 300) {
      return parse(response.body(), method, path);
    }
    throw new CliException(ExitCode.ofStatus(status), problem(status, response.body()));
  }

  /** {@code path?key=value&...}, skipping absent values, each part encoded. */
  public static String query(String path, Map<String, ?> parameters) {
    StringJoiner query = new StringJoiner("&");
    parameters.forEach(
        (key, value) -> {
          if (value instanceof Iterable<?> values) {
            values.forEach(one -> query.add(key + "=" + encode(String.valueOf(one))));
          } else if (value != null) {
            query.add(key + "=" + encode(String.valueOf(value)));
          }
        });
    return query.length() == 0 ? path : path + "?" + query;
  }

  /** Parameters in the order given, for {@link #query}. */
  public static Map<String, Object> parameters(Object... keysAndValues) {
    Map<String, Object> parameters = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      parameters.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return parameters;
  }

  /** One path segment, encoded. */
  public static String segment(String value) {
    return encode(value).replace("+", "%20");
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private URI uri(String path) {
    try {
      return URI.create(server + path);
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCode.USAGE, "not a server URL: " + server);
    }
  }

  private byte[] bytes(Object body) {
    try {
      return json.writeValueAsBytes(body);
    } catch (IOException e) {
      throw new CliException(ExitCode.FAILED, "cannot write the request body: " + e.getMessage());
    }
  }

  private JsonNode parse(byte[] body, String method, String path) {
    if (body.length == 0) {
      return NullNode.getInstance();
    }
    try {
      return json.readTree(body);
    } catch (IOException e) {
      throw new CliException(
          ExitCode.FAILED,
          "the answer to " + method + " " + path + " from " + server + " is not JSON");
    }
  }

  /** The server's problem detail (RFC 9457) as one line, or what the status says. */
  private String problem(int status, byte[] body) {
    String detail = null;
    try {
      JsonNode problem = json.readTree(body);
      if (problem != null) {
        detail = text(problem, "detail");
        if (detail == null) {
          detail = text(problem, "title");
        }
      }
    } catch (IOException e) {
      // Not a problem document (a proxy's page, say): the status alone says enough.
    }
    String what =
        switch (status) {
          case 401 -> "not signed in (switchboard login, or a token in SWITCHBOARD_TOKEN)";
          case 403 -> "not allowed";
          case 404 -> "not found";
          default -> "the server answered " + status;
        };
    return detail == null || detail.isBlank()
        ? what + " (HTTP " + status + ")"
        : what + ": " + detail + " (HTTP " + status + ")";
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }

  private static String reason(Exception e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
