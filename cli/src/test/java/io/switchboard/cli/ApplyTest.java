package io.switchboard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.node.SwitchboardNode;
import io.switchboard.testkit.HttpProbe;
import io.switchboard.testkit.TestNodes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code switchboard apply} against a node started here: a fleet file becomes the server's state,
 * applying it again changes nothing, and a dry run never changes anything.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApplyTest {

  private final ObjectMapper json = new ObjectMapper();
  @TempDir Path home;
  @TempDir Path repository;
  private SwitchboardNode node;

  @BeforeAll
  void startNode() {
    node = SwitchboardNode.start(TestNodes.config());
  }

  @AfterAll
  void stopNode() {
    node.close();
  }

  @Test
  void configurationsArePublishedOnceAndAgainOnlyWhenTheirFilesChange() throws Exception {
    String name = "declared-" + UUID.randomUUID().toString().substring(0, 8);
    Path fleet = repository.resolve("fleet.yaml");
    Files.createDirectories(repository.resolve("configs"));
    Files.writeString(repository.resolve("configs/collector.yaml"), "exporters:\n  debug: {}\n");
    Files.writeString(
        fleet,
        """
        configurations:
          - name: NAME
            description: the collectors' pipeline
            files:
              collector.yaml: configs/collector.yaml
              extra.yaml: {body: "b: 1"}
        """
            .replace("NAME", name));

    CliRun dryRun = cli("apply", "-f", fleet.toString(), "--dry-run");
    assertEquals(0, dryRun.code(), dryRun.toString());
    assertTrue(dryRun.out().contains("create") && dryRun.out().contains(name), dryRun.toString());
    assertTrue(dryRun.out().contains("dry run: nothing was changed"), dryRun.toString());
    assertEquals(404, HttpProbe.get(node.apiPort(), configuration(name)).statusCode());

    CliRun applied = cli("apply", "-f", fleet.toString(), "--commit", "4e1f00d");
    assertEquals(0, applied.code(), applied.toString());
    JsonNode version = HttpProbe.getJson(node.apiPort(), configuration(name) + "/versions/1");
    assertEquals("PUBLISHED", version.path("state").asText());
    assertEquals("4e1f00d", version.path("source_commit").asText());
    assertEquals(
        "exporters:\n  debug: {}\n", version.at("/config_map/collector.yaml/body").asText());

    JsonNode again = parse(cli("-o", "json", "apply", "-f", fleet.toString()));
    for (JsonNode change : again.path("changes")) {
      assertEquals("unchanged", change.path("action").asText(), again.toString());
    }
    assertEquals(1, HttpProbe.getJson(node.apiPort(), configuration(name)).path("versions").size());

    Files.writeString(repository.resolve("configs/collector.yaml"), "exporters:\n  otlp: {}\n");
    CliRun wouldPublish = cli("apply", "-f", fleet.toString(), "--dry-run");
    assertTrue(
        wouldPublish.out().contains("version 2 (files changed since 1)"), wouldPublish.toString());
    assertEquals(1, HttpProbe.getJson(node.apiPort(), configuration(name)).path("versions").size());
    assertEquals(0, cli("apply", "-f", fleet.toString(), "--commit", "77aa01c").code());
    JsonNode second = HttpProbe.getJson(node.apiPort(), configuration(name) + "/versions/2");
    assertEquals("PUBLISHED", second.path("state").asText());
    assertEquals("77aa01c", second.path("source_commit").asText());
  }

  @Test
  void aFileWithAMistakeChangesNothingAndSaysWhere() throws Exception {
    String name = "typo-" + UUID.randomUUID().toString().substring(0, 8);
    Path fleet = repository.resolve("typo.yaml");
    Files.writeString(
        fleet,
        """
        configurations:
          - name: NAME
            files: {a.yaml: {body: "a: 1"}}
        assignments:
          - name: NAME
            configuraton: NAME
        """
            .replace("NAME", name));
    CliRun run = cli("apply", "-f", fleet.toString());
    assertEquals(2, run.code(), run.toString());
    assertTrue(run.err().contains("unknown key configuraton"), run.toString());
    assertEquals(404, HttpProbe.get(node.apiPort(), configuration(name)).statusCode());
  }

  private static String configuration(String name) {
    return "/api/configurations/" + name;
  }

  private CliRun cli(String... args) {
    return CliRun.run(CliRun.env(home.toString(), "http://localhost:" + node.apiPort()), args);
  }

  private JsonNode parse(CliRun run) throws Exception {
    assertEquals(0, run.code(), run.toString());
    return json.readTree(run.out());
  }
}
