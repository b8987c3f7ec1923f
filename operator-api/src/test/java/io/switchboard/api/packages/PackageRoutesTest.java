package io.switchboard.api.packages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.api.TestApi;
import io.switchboard.testkit.HttpProbe;
import io.switchboard.testkit.TestPackages;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Packages through the REST API on a real PostgreSQL: metadata checked, content streamed into chunk
 * rows with its hash checked, bounded by max-size (here 1 MiB), listed, deleted, audited. The
 * refusals' metrics are checked on a whole node (PackageDownloadTest).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PackageRoutesTest {

  private static final int MAX = 1024 * 1024;

  private final ObjectMapper json = new ObjectMapper();
  private TestApi api;

  @BeforeAll
  void startApi() {
    api = TestApi.start(Map.of("switchboard.packages.max-size", MAX));
  }

  @AfterAll
  void stopApi() {
    api.close();
  }

  @Test
  void contentStreamsInChunksWithItsHashCheckedAndThePackageIsListedAndDeleted() throws Exception {
    String name = "plugin-" + UUID.randomUUID();
    // Larger than three chunk rows, not a multiple of one, sent without a length.
    byte[] content = TestPackages.content(3 * 256 * 1024 + 12_345);
    assertEquals(
        201,
        TestPackages.create(api.port(), name, "1.0.0", TestPackages.sha256(content)).statusCode());
    assertProblem(
        TestPackages.create(api.port(), name, "1.0.0", TestPackages.sha256(content)),
        409,
        "exists");
    assertEquals(
        false,
        HttpProbe.getJson(api.port(), "/api/packages/" + name + "/1.0.0")
            .path("downloadable")
            .asBoolean());

    JsonNode stored = body(TestPackages.upload(api.port(), name, "1.0.0", content, true), 200);
    assertEquals(content.length, stored.path("size").asLong());
    assertTrue(stored.path("downloadable").asBoolean());
    assertEquals(TestPackages.sha256(content), stored.path("hash").asText());
    assertEquals(
        "4",
        api.db().queryForString("SELECT count(*) FROM package_chunks WHERE name = '" + name + "'"),
        "the content is kept in 256 KiB rows");
    assertProblem(
        TestPackages.upload(api.port(), name, "1.0.0", content, false), 409, "content already");
    assertTrue(
        HttpProbe.getJson(api.port(), "/api/packages").path("packages").toString().contains(name));
    assertTrue(
        api.db()
            .queryForString(
                "SELECT string_agg(action, ',' ORDER BY id) FROM audit_events WHERE target = 'package/"
                    + name
                    + "/1.0.0'")
            .contains("package.create,package.upload"));

    assertEquals(
        204,
        HttpProbe.send(api.port(), "DELETE", "/api/packages/" + name + "/1.0.0", "").statusCode());
    assertEquals(404, HttpProbe.get(api.port(), "/api/packages/" + name + "/1.0.0").statusCode());
    assertEquals(
        "0",
        api.db().queryForString("SELECT count(*) FROM package_chunks WHERE name = '" + name + "'"));
  }

  @Test
  void contentWhoseHashIsNotTheDeclaredOneIsDropped() {
    String name = "wrong-" + UUID.randomUUID();
    byte[] content = TestPackages.content(300_000);
    TestPackages.create(api.port(), name, "1", TestPackages.sha256(new byte[] {1}));

    assertProblem(
        TestPackages.upload(api.port(), name, "1", content, true), 422, "not the declared");
    assertEquals(
        "0",
        api.db().queryForString("SELECT count(*) FROM package_chunks WHERE name = '" + name + "'"));
    assertEquals(
        false,
        HttpProbe.getJson(api.port(), "/api/packages/" + name + "/1")
            .path("downloadable")
            .asBoolean());
  }

  @Test
  void contentPastMaxSizeIsRefusedWhetherItsLengthIsDeclaredOrNot() {
    String name = "huge-" + UUID.randomUUID();
    byte[] content = TestPackages.content(MAX + 1);
    TestPackages.create(api.port(), name, "1", TestPackages.sha256(content));

    assertProblem(TestPackages.upload(api.port(), name, "1", content, false), 413, "limited to");
    assertProblem(TestPackages.upload(api.port(), name, "1", content, true), 413, "limited to");
    assertEquals(
        "0",
        api.db().queryForString("SELECT count(*) FROM package_chunks WHERE name = '" + name + "'"));
  }

  @Test
  void badMetadataIsRefusedWithWhatIsWrong() {
    assertProblem(
        HttpProbe.send(
            api.port(), "POST", "/api/packages", "{\"name\": \"a/b\", \"version\": \"1\"}"),
        400,
        "name");
    assertProblem(
        HttpProbe.send(
            api.port(),
            "POST",
            "/api/packages",
            "{\"name\": \"a\", \"version\": \"1\", \"type\": \"addon\", \"hash\": \"abc\"}"),
        400,
        "hash");
    assertProblem(
        HttpProbe.send(
            api.port(),
            "POST",
            "/api/packages",
            "{\"name\": \"a\", \"version\": \"1\", \"type\": \"addon\", \"hash\": \""
                + "0".repeat(64)
                + "\", \"download_url\": \"ftp://x/y\"}"),
        400,
        "download_url");
    String external = "ext-" + UUID.randomUUID();
    assertEquals(
        201,
        HttpProbe.send(
                api.port(),
                "POST",
                "/api/packages",
                "{\"name\": \""
                    + external
                    + "\", \"version\": \"2\", \"type\": \"top_level\", \"hash\": \""
                    + "0".repeat(64)
                    + "\", \"download_url\": \"https://downloads.example/agent-2.tar.gz\"}")
            .statusCode());
    assertTrue(
        HttpProbe.getJson(api.port(), "/api/packages/" + external + "/2")
            .path("downloadable")
            .asBoolean());
    assertProblem(
        TestPackages.upload(api.port(), external, "2", new byte[] {1}, false), 409, "download_url");
  }

  private JsonNode body(HttpResponse<String> response, int status) throws Exception {
    assertEquals(status, response.statusCode(), response.body());
    return json.readTree(response.body());
  }

  private void assertProblem(HttpResponse<String> response, int status, String detail) {
    assertEquals(status, response.statusCode(), response.body());
    assertTrue(response.body().contains(detail), response.body());
  }
}
