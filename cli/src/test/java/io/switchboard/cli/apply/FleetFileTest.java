package io.switchboard.cli.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.cli.client.CliException;
import io.switchboard.cli.client.ExitCode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FleetFileTest {

  private final ObjectMapper json = new ObjectMapper();
  @TempDir Path directory;

  @Test
  void filesAreReadBesideTheFleetFileOrInline() throws Exception {
    Files.createDirectories(directory.resolve("configs"));
    Files.writeString(directory.resolve("configs/collector.yaml"), "receivers: {}\n");
    FleetFile fleet =
        read(
            """
            configurations:
              - name: collector
                files:
                  collector.yaml: configs/collector.yaml
                  extra.conf: {body: "x = 1", content_type: text/x-conf}
            assignments:
              - name: prod
                configuration: collector
                priority: 5
                selector: {labels: "env=prod"}
            webhooks:
              - name: oncall
                url: https://hooks.example/switchboard
                events: [rollout.paused]
            """);
    assertEquals(
        "receivers: {}\n",
        fleet.configurations().get(0).configMap().at("/collector.yaml/body").asText());
    assertEquals(
        "text/yaml",
        fleet.configurations().get(0).configMap().at("/collector.yaml/content_type").asText());
    assertEquals(
        "text/x-conf",
        fleet.configurations().get(0).configMap().at("/extra.conf/content_type").asText());
    assertEquals(5, fleet.assignments().get(0).priority());
    assertEquals(null, fleet.assignments().get(0).version(), "no version: the current one");
    assertEquals("rollout.paused", fleet.webhooks().get(0).events().get(0));
  }

  @Test
  void aTypoOrAMissingFieldIsAnErrorThatSaysWhere() throws Exception {
    assertProblem(
        "assignments:\n  - name: prod\n    configuraton: collector\n",
        "assignment prod has an unknown key configuraton");
    assertProblem("assignments:\n  - name: prod\n", "assignment prod needs configuration");
    assertProblem("webhook:\n  - name: x\n", "the file has an unknown key webhook");
    assertProblem(
        "configurations:\n  - name: c\n    files: {a.yaml: missing.yaml}\n", "cannot read");
    assertProblem(
        "webhooks:\n  - {name: a, url: 'https://x', events: [rollout.paused]}\n  - {name: a, url: 'https://y', events: [rollout.paused]}\n",
        "the webhook a is declared twice");
    assertProblem(
        "assignments:\n  - {name: p, configuration: c, priority: high}\n",
        "priority must be a whole number");
  }

  private void assertProblem(String yaml, String expected) throws Exception {
    CliException problem = assertThrows(CliException.class, () -> read(yaml));
    assertEquals(ExitCode.USAGE, problem.exitCode());
    assertTrue(problem.getMessage().contains(expected), problem.getMessage());
  }

  private FleetFile read(String yaml) throws Exception {
    Path file = directory.resolve("fleet.yaml");
    Files.writeString(file, yaml);
    return FleetFile.read(file, json);
  }
}
