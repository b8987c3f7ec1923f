package io.switchboard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.node.SwitchboardNode;
import io.switchboard.testkit.HttpProbe;
import io.switchboard.testkit.TestNodes;
import io.switchboard.testkit.TestPackages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
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

  @Test
  void assignmentsAndWebhooksAreReconciledAndPrunedOnlyWhenAsked() throws Exception {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    String config = "fleet-" + suffix;
    Path fleet = repository.resolve("fleet-" + suffix + ".yaml");
    String file =
        """
        configurations:
          - name: CONFIG
            files: {collector.yaml: {body: "exporters: {debug: {}}"}}
        assignments:
          - name: prod-SUFFIX
            configuration: CONFIG
            priority: 10
            selector: {labels: "env=prod,ring notin (canary)", attributes: {service.name: checkout}}
          - name: canary-SUFFIX
            configuration: CONFIG
            version: 1
            priority: 20
            selector: {labels: {ring: canary}}
        webhooks:
          - name: oncall-SUFFIX
            url: https://hooks.example.invalid/switchboard
            events: [rollout.paused, rollout.aborted]
            secret_from_env: ONCALL_SECRET
        """
            .replace("CONFIG", config)
            .replace("SUFFIX", suffix);
    Files.writeString(fleet, file);
    Map<String, String> env = env();
    env.put("ONCALL_SECRET", "a-secret-for-the-tests");

    CliRun applied = CliRun.run(env, "apply", "-f", fleet.toString());
    assertEquals(0, applied.code(), applied.toString());
    JsonNode prod = HttpProbe.getJson(node.apiPort(), "/api/assignments/prod-" + suffix);
    assertEquals(1, prod.path("version").asInt());
    assertEquals(10, prod.path("priority").asInt());
    assertEquals(
        "rollout.aborted,rollout.paused",
        String.join(
            ",",
            new java.util.TreeSet<>(
                json.convertValue(
                    HttpProbe.getJson(node.apiPort(), "/api/webhooks/oncall-" + suffix)
                        .path("events"),
                    java.util.List.class))));
    String auditBefore = HttpProbe.getJson(node.apiPort(), "/api/audit?limit=1").toString();

    JsonNode again = parse(CliRun.run(env, "-o", "json", "apply", "-f", fleet.toString()));
    for (JsonNode change : again.path("changes")) {
      assertEquals("unchanged", change.path("action").asText(), again.toString());
    }
    assertEquals(
        auditBefore,
        HttpProbe.getJson(node.apiPort(), "/api/audit?limit=1").toString(),
        "the second apply changed nothing");

    Files.writeString(
        fleet,
        file.replace("exporters: {debug: {}}", "exporters: {otlp: {}}")
            .replace("priority: 10", "priority: 15")
            .replace(
                file.substring(file.indexOf("  - name: canary-"), file.indexOf("webhooks:")), ""));
    JsonNode planned =
        parse(CliRun.run(env, "-o", "json", "apply", "-f", fleet.toString(), "--dry-run"));
    assertTrue(planned.path("dry_run").asBoolean());
    assertTrue(
        planned.toString().contains("version 1 -> the version this apply publishes"),
        planned.toString());
    assertEquals(
        auditBefore,
        HttpProbe.getJson(node.apiPort(), "/api/audit?limit=1").toString(),
        "a dry run changes nothing");
    assertEquals(0, CliRun.run(env, "apply", "-f", fleet.toString()).code());
    prod = HttpProbe.getJson(node.apiPort(), "/api/assignments/prod-" + suffix);
    assertEquals(2, prod.path("version").asInt());
    assertEquals(15, prod.path("priority").asInt());
    assertEquals(
        200,
        HttpProbe.get(node.apiPort(), "/api/assignments/canary-" + suffix).statusCode(),
        "without --prune nothing is deleted");
    CliRun pruned = CliRun.run(env, "apply", "-f", fleet.toString(), "--prune");
    assertEquals(0, pruned.code(), pruned.toString());
    assertEquals(
        404, HttpProbe.get(node.apiPort(), "/api/assignments/canary-" + suffix).statusCode());
  }

  @Test
  void anAssignmentsPackageSetIsDeclaredLeftAloneWhenUnchangedAndChanged() throws Exception {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    String addon = "fleet-addon-" + suffix;
    byte[] content = TestPackages.content(1000);
    for (String version : new String[] {"1.0.0", "2.0.0"}) {
      assertEquals(
          201,
          TestPackages.create(node.apiPort(), addon, version, TestPackages.sha256(content))
              .statusCode());
      assertEquals(
          200, TestPackages.upload(node.apiPort(), addon, version, content, true).statusCode());
    }
    Path fleet = repository.resolve("packaged-" + suffix + ".yaml");
    String file =
        """
        configurations:
          - name: packaged-SUFFIX
            files: {collector.yaml: {body: "exporters: {debug: {}}"}}
        assignments:
          - name: packaged-SUFFIX
            configuration: packaged-SUFFIX
            selector: {labels: "env=packaged"}
            packages: [{name: ADDON, version: 1.0.0}]
        """
            .replace("SUFFIX", suffix)
            .replace("ADDON", addon);
    Files.writeString(fleet, file);
    CliRun applied = cli("apply", "-f", fleet.toString());
    assertEquals(0, applied.code(), applied.toString());
    String path = "/api/assignments/packaged-" + suffix;
    assertEquals(
        "1.0.0", HttpProbe.getJson(node.apiPort(), path).at("/packages/0/version").asText());

    JsonNode again = parse(cli("-o", "json", "apply", "-f", fleet.toString()));
    for (JsonNode change : again.path("changes")) {
      assertEquals("unchanged", change.path("action").asText(), again.toString());
    }

    Files.writeString(fleet, file.replace("1.0.0", "2.0.0"));
    JsonNode changed = parse(cli("-o", "json", "apply", "-f", fleet.toString()));
    assertTrue(changed.toString().contains("packages (a rollout)"), changed.toString());
    assertEquals(
        "2.0.0", HttpProbe.getJson(node.apiPort(), path).at("/packages/0/version").asText());
  }

  private Map<String, String> env() {
    return CliRun.env(home.toString(), "http://localhost:" + node.apiPort());
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
