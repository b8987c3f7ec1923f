package io.switchboard.bench.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * JSON over HTTP to one node's operator API, as an operator's script would call it (sign-in is off
 * on the bench's nodes). Answers are whatever the API said, errors included; callers judge the
 * status.
 */
public final class OperatorApiClient {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** How long a request may take before it fails with no answer. */
  public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  /** The API's answer: its status, its body as JSON (missing when it was not JSON) and as text. */
  public record Answer(int status, JsonNode body, String text) {

    /** The text of a top-level field, or null. */
    public String field(String name) {
      JsonNode value = body.get(name);
      return value == null || value.isNull() ? null : value.asText();
    }

    /**
     * This answer, if its status is {@code expected}; else fails naming the call and what the API
     * said.
     */
    public Answer expect(int expected, String call) {
      if (status != expected) {
        throw new IllegalStateException(
            call + " answered " + status + " (expected " + expected + "): " + text);
      }
      return this;
    }
  }

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final String base;
  private final AtomicInteger connectRetries = new AtomicInteger();

  public OperatorApiClient(int apiPort) {
    this.base = "http://127.0.0.1:" + apiPort;
  }

  /** An empty JSON object to fill in as a request body. */
  public static ObjectNode object() {
    return JSON.createObjectNode();
  }

  /**
   * A body whose {@code config_map} holds one collector file, made distinct by {@code marker}: what
   * {@code PUT /api/agents/{id}/remote-config} and a new configuration version both take.
   */
  public static ObjectNode collectorConfig(String marker) {
    ObjectNode body = object();
    body.putObject("config_map")
        .putObject("collector.yaml")
        .put("content_type", "text/yaml")
        .put("body", "exporters: {debug: {}}\n# " + marker + "\n");
    return body;
  }

  public Answer get(String path) throws IOException, InterruptedException {
    return send("GET", path, null);
  }

  public Answer post(String path, JsonNode body) throws IOException, InterruptedException {
    return send("POST", path, body);
  }

  /**
   * {@code body} null: no body. A connection that could not be made is tried once more: the request
   * never reached the node, so even a POST is safe to repeat (on a loaded machine the JDK's client
   * now and then fails a connect to loopback).
   */
  Answer send(String method, String path, JsonNode body) throws IOException, InterruptedException {
    HttpRequest request = request(method, path, body);
    try {
      return answer(http.send(request, HttpResponse.BodyHandlers.ofString()));
    } catch (ConnectException notConnected) {
      connectRetries.incrementAndGet();
      return answer(http.send(request, HttpResponse.BodyHandlers.ofString()));
    }
  }

  /** How many times {@link #send} had to try a connection again. */
  public int connectRetries() {
    return connectRetries.get();
  }

  /** As {@link #send}, without waiting; fails with the I/O error when there was no answer. */
  public CompletableFuture<Answer> sendAsync(String method, String path, JsonNode body) {
    return http.sendAsync(request(method, path, body), HttpResponse.BodyHandlers.ofString())
        .thenApply(OperatorApiClient::answer);
  }

  private HttpRequest request(String method, String path, JsonNode body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(REQUEST_TIMEOUT)
            // Changes carry a CSRF header even with sign-in off (any value will do then).
            .header("X-CSRF-Token", "bench");
    if (body == null) {
      return request.method(method, HttpRequest.BodyPublishers.noBody()).build();
    }
    return request
        .header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(body.toString()))
        .build();
  }

  private static Answer answer(HttpResponse<String> response) {
    JsonNode body;
    try {
      body = response.body().isEmpty() ? MissingNode.getInstance() : JSON.readTree(response.body());
    } catch (JsonProcessingException notJson) {
      body = MissingNode.getInstance();
    }
    return new Answer(response.statusCode(), body, response.body());
  }
}
