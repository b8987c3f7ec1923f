package io.switchboard.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalDouble;

/** Plain HTTP requests against a node's endpoints, for assertions. */
public final class HttpProbe {

  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  private HttpProbe() {}

  public static HttpResponse<String> get(int port, String path) {
    return send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10)));
  }

  /** A request with a JSON body (PUT, POST, ...). */
  public static HttpResponse<String> send(int port, String method, String path, String json) {
    return send(port, method, path, json, Map.of());
  }

  /**
   * A request with a JSON body and extra headers (Idempotency-Key, ...). Unless the headers name
   * one, it carries an {@code X-CSRF-Token}, as the API wants on changes even with sign-in off; a
   * signed-in test passes its session's.
   */
  public static HttpResponse<String> send(
      int port, String method, String path, String json, Map<String, String> headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofString(json));
    headers.forEach(request::header);
    if (headers.keySet().stream().noneMatch(name -> name.equalsIgnoreCase("X-CSRF-Token"))) {
      request.header("X-CSRF-Token", "probe");
    }
    return send(request);
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public static JsonNode getJson(int port, String path) {
    try {
      return JSON.readTree(get(port, path).body());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * The value of a Prometheus series, e.g. {@code
   * switchboard_active_sessions{transport="websocket"}}, or empty when the node does not export it
   * (yet).
   */
  public static OptionalDouble metric(int metricsPort, String series) {
    for (String line : get(metricsPort, "/metrics").body().split("\n")) {
      if (line.startsWith(series + " ")) {
        return OptionalDouble.of(Double.parseDouble(line.substring(series.length() + 1).trim()));
      }
    }
    return OptionalDouble.empty();
  }
}
