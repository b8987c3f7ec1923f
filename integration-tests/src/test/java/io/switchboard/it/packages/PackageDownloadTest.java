package io.switchboard.it.packages;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.node.SwitchboardNode;
import io.switchboard.testkit.HttpProbe;
import io.switchboard.testkit.TestNodes;
import io.switchboard.testkit.TestPackages;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A node serves uploaded package content on its OpAMP port to agents holding an agent token: whole
 * (with its length and SHA-256) or by byte range, streamed from PostgreSQL; and counts what it
 * served and what uploads it refused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PackageDownloadTest {

  private static final String TOKEN = "package-token-0123456789";
  private static final Map<String, String> AGENT = Map.of("Authorization", "Bearer " + TOKEN);

  private SwitchboardNode node;
  private final byte[] content = TestPackages.content(700_001);

  @BeforeAll
  void start() {
    node =
        SwitchboardNode.start(
            TestNodes.config(
                Map.of(
                    "switchboard.opamp.auth.token",
                    TOKEN,
                    "switchboard.packages.max-size",
                    800_000)));
    TestPackages.create(node.apiPort(), "agent-addon", "1.2.3", TestPackages.sha256(content));
    assertEquals(
        200,
        TestPackages.upload(node.apiPort(), "agent-addon", "1.2.3", content, true).statusCode());
  }

  @AfterAll
  void stop() {
    node.close();
  }

  private String url() {
    return "http://127.0.0.1:" + node.opampPort() + "/v1/packages/agent-addon/1.2.3";
  }

  @Test
  void theWholeContentComesWithItsLengthAndHash() {
    HttpResponse<byte[]> whole = TestPackages.download(url(), AGENT);

    assertEquals(200, whole.statusCode());
    assertArrayEquals(content, whole.body());
    assertEquals(
        String.valueOf(content.length), whole.headers().firstValue("Content-Length").orElseThrow());
    assertEquals(
        "\"" + TestPackages.sha256(content) + "\"",
        whole.headers().firstValue("ETag").orElseThrow());
    assertEquals(
        "sha-256=:"
            + Base64.getEncoder()
                .encodeToString(HexFormat.of().parseHex(TestPackages.sha256(content)))
            + ":",
        whole.headers().firstValue("Repr-Digest").orElseThrow());
    assertEquals("bytes", whole.headers().firstValue("Accept-Ranges").orElseThrow());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                HttpProbe.metric(node.metricsPort(), "switchboard_package_served_bytes_total")
                        .orElse(0)
                    >= content.length);
  }

  @Test
  void aRangeAcrossChunkRowsIsServedAlone() {
    HttpResponse<byte[]> part = TestPackages.download(url(), with("Range", "bytes=262000-530000"));

    assertEquals(206, part.statusCode());
    assertArrayEquals(Arrays.copyOfRange(content, 262_000, 530_001), part.body());
    assertEquals(
        "bytes 262000-530000/" + content.length,
        part.headers().firstValue("Content-Range").orElseThrow());

    HttpResponse<byte[]> tail = TestPackages.download(url(), with("Range", "bytes=-10"));
    assertEquals(206, tail.statusCode());
    assertArrayEquals(
        Arrays.copyOfRange(content, content.length - 10, content.length), tail.body());
    HttpResponse<byte[]> rest = TestPackages.download(url(), with("Range", "bytes=700000-"));
    assertArrayEquals(Arrays.copyOfRange(content, 700_000, content.length), rest.body());

    HttpResponse<byte[]> beyond = TestPackages.download(url(), with("Range", "bytes=700001-"));
    assertEquals(416, beyond.statusCode());
    assertEquals(
        "bytes */" + content.length, beyond.headers().firstValue("Content-Range").orElseThrow());
  }

  @Test
  void onlyAgentsWithATokenDownloadAndUnknownPackagesAreNotFound() {
    assertEquals(401, TestPackages.download(url(), Map.of()).statusCode());
    assertEquals(
        401, TestPackages.download(url(), Map.of("Authorization", "Bearer wrong")).statusCode());
    assertEquals(
        404,
        TestPackages.download(
                "http://127.0.0.1:" + node.opampPort() + "/v1/packages/agent-addon/9", AGENT)
            .statusCode());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                HttpProbe.metric(
                            node.metricsPort(),
                            "switchboard_package_downloads_total{status=\"401\"}")
                        .orElse(0)
                    >= 2);
  }

  @Test
  void refusedUploadsAreCounted() {
    byte[] big = TestPackages.content(800_001);
    TestPackages.create(node.apiPort(), "too-big", "1", TestPackages.sha256(big));
    assertEquals(413, TestPackages.upload(node.apiPort(), "too-big", "1", big, true).statusCode());
    TestPackages.create(node.apiPort(), "mismatch", "1", TestPackages.sha256(new byte[] {0}));
    assertEquals(
        422, TestPackages.upload(node.apiPort(), "mismatch", "1", content, false).statusCode());

    for (String reason : new String[] {"too-large", "hash-mismatch"}) {
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  HttpProbe.metric(
                              node.metricsPort(),
                              "switchboard_package_uploads_refused_total{reason=\""
                                  + reason
                                  + "\"}")
                          .orElse(0)
                      >= 1);
    }
  }

  private static Map<String, String> with(String header, String value) {
    return Map.of("Authorization", "Bearer " + TOKEN, header, value);
  }
}
