package io.switchboard.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.testkit.HttpProbe;
import java.net.http.HttpResponse;
import java.util.Iterator;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The OpenAPI document is served, and every call it describes is one the API really routes. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenApiTest {

  private final ObjectMapper json = new ObjectMapper();
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
  void everyDocumentedCallIsRouted() throws Exception {
    HttpResponse<String> served = HttpProbe.get(api.port(), "/api/openapi.json");
    assertEquals(200, served.statusCode());
    assertEquals("application/json", served.headers().firstValue("Content-Type").orElse(""));
    JsonNode document = json.readTree(served.body());
    assertEquals("3.0.3", document.path("openapi").asText());
    assertEquals("bearer", document.at("/components/securitySchemes/bearer/scheme").asText());
    assertEquals("cookie", document.at("/components/securitySchemes/session/in").asText());
    assertEquals(2, document.path("security").size(), "either scheme is accepted");

    int calls = 0;
    for (Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields();
        paths.hasNext(); ) {
      Map.Entry<String, JsonNode> path = paths.next();
      String concrete =
          path.getKey()
              .replace("{instance_uid}", UUID.randomUUID().toString())
              .replace("{id}", UUID.randomUUID().toString())
              .replace("{name}", "no-such-configuration")
              .replace("{version}", "1")
              .replace("{serial}", "0a1b");
      for (Iterator<String> methods = path.getValue().fieldNames(); methods.hasNext(); ) {
        String method = methods.next().toUpperCase();
        if (path.getValue()
            .path(method.toLowerCase())
            .at("/responses/200/content")
            .has("text/event-stream")) {
          continue; // an endless stream: LiveUpdatesTest (integration-tests) reads it
        }
        HttpResponse<String> response =
            method.equals("GET")
                ? HttpProbe.get(api.port(), concrete)
                : HttpProbe.send(api.port(), method, concrete, "{}");
        String call =
            method + " " + path.getKey() + " -> " + response.statusCode() + " " + response.body();
        assertFalse(response.body().contains("no API resource"), call);
        assertTrue(response.statusCode() != 405, call);
        assertTrue(
            path.getValue()
                .path(method.toLowerCase())
                .path("responses")
                .has(Integer.toString(response.statusCode())),
            "the document lists what the call answered: " + call);
        calls++;
      }
    }
    assertTrue(calls >= 25, "the document describes the whole API, " + calls + " calls");
  }
}
