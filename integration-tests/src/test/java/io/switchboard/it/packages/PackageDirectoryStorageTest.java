package io.switchboard.it.packages;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.node.SwitchboardNode;
import io.switchboard.testkit.HttpProbe;
import io.switchboard.testkit.TestNodes;
import io.switchboard.testkit.TestPackages;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * With {@code switchboard.packages.storage = directory}, uploaded content streams into one file per
 * package in the configured directory and is served from there, whole and by byte range; deleting
 * the package removes its file.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PackageDirectoryStorageTest {

  private final byte[] content = TestPackages.content(700_001);
  private Path directory;
  private SwitchboardNode node;

  @BeforeAll
  void start() throws Exception {
    directory = Files.createTempDirectory("switchboard-packages").resolve("store");
    node =
        SwitchboardNode.start(
            TestNodes.config(
                Map.of(
                    "switchboard.packages.storage",
                    "directory",
                    "switchboard.packages.directory",
                    directory.toString())));
  }

  @AfterAll
  void stop() {
    node.close();
  }

  @Test
  void contentIsKeptInTheDirectoryAndServedFromItByRange() throws Exception {
    assertEquals(
        201,
        TestPackages.create(node.apiPort(), "dir-addon", "1.0.0", TestPackages.sha256(content))
            .statusCode());
    assertEquals(
        200, TestPackages.upload(node.apiPort(), "dir-addon", "1.0.0", content, true).statusCode());
    List<Path> files = files();
    assertEquals(1, files.size(), files.toString());
    assertEquals(content.length, Files.size(files.get(0)));
    assertArrayEquals(content, Files.readAllBytes(files.get(0)));

    String url = "http://127.0.0.1:" + node.opampPort() + "/v1/packages/dir-addon/1.0.0";
    HttpResponse<byte[]> whole = TestPackages.download(url, Map.of());
    assertEquals(200, whole.statusCode());
    assertArrayEquals(content, whole.body());
    HttpResponse<byte[]> part = TestPackages.download(url, Map.of("Range", "bytes=262000-530000"));
    assertEquals(206, part.statusCode());
    assertArrayEquals(Arrays.copyOfRange(content, 262_000, 530_001), part.body());
    assertEquals(
        "bytes 262000-530000/" + content.length,
        part.headers().firstValue("Content-Range").orElseThrow());
    HttpResponse<byte[]> tail = TestPackages.download(url, Map.of("Range", "bytes=-10"));
    assertArrayEquals(
        Arrays.copyOfRange(content, content.length - 10, content.length), tail.body());

    assertEquals(
        204,
        HttpProbe.send(node.apiPort(), "DELETE", "/api/packages/dir-addon/1.0.0", "").statusCode());
    assertTrue(files().isEmpty(), "deleting the package removes its file");
  }

  private List<Path> files() throws Exception {
    try (Stream<Path> listed = Files.list(directory)) {
      return listed.toList();
    }
  }
}
