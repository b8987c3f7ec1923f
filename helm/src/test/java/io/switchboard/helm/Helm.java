package io.switchboard.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs helm on the chart: found as $HELM, .ci/tools/helm/helm (.ci/install-helm), or on the PATH.
 */
final class Helm {

  static final Path CHART = Path.of("switchboard");
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** Nodes that serve agents need an agent token (or an explicit allowAnonymous) to install. */
  static final String[] AGENT_TOKEN = {"--set", "agentTokenSecret=switchboard-agent-token"};

  private Helm() {}

  static String binary() {
    String fromEnv = System.getenv("HELM");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return fromEnv;
    }
    Path installed = Path.of("..", ".ci", "tools", "helm", "helm");
    if (Files.isExecutable(installed)) {
      return installed.toString();
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(dir, "helm"))) {
        return Path.of(dir, "helm").toString();
      }
    }
    throw new AssertionError(
        "the chart tests need helm: run .ci/install-helm (it puts it in .ci/tools/helm), or set HELM");
  }

  /** Runs helm with these arguments and returns its output; fails on a non-zero exit. */
  static String run(String... arguments) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(binary()));
    command.addAll(List.of(arguments));
    Process helm = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(helm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(helm.waitFor(60, TimeUnit.SECONDS), "helm did not finish");
    assertEquals(
        0, helm.exitValue(), "helm " + String.join(" ", arguments) + " failed:\n" + output);
    return output;
  }

  /** Runs helm expecting it to fail; returns its output. */
  static String fails(String... arguments) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(binary()));
    command.addAll(List.of(arguments));
    Process helm = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(helm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(helm.waitFor(60, TimeUnit.SECONDS), "helm did not finish");
    assertTrue(
        helm.exitValue() != 0, "helm " + String.join(" ", arguments) + " passed:\n" + output);
    return output;
  }

  /** The manifests {@code helm template} renders with these extra arguments. */
  static List<JsonNode> render(String... arguments) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("template", "switchboard", CHART.toString()));
    command.addAll(List.of(arguments));
    String rendered = run(command.toArray(String[]::new));
    List<JsonNode> manifests = new ArrayList<>();
    try (YAMLParser parser = new YAMLFactory().createParser(rendered)) {
      for (var documents = YAML.readValues(parser, JsonNode.class); documents.hasNext(); ) {
        JsonNode manifest = documents.next();
        if (manifest != null && !manifest.isEmpty()) {
          manifests.add(manifest);
        }
      }
    }
    return manifests;
  }

  static JsonNode only(List<JsonNode> manifests, String kind) {
    List<JsonNode> found =
        manifests.stream().filter(manifest -> manifest.path("kind").asText().equals(kind)).toList();
    assertEquals(1, found.size(), "one " + kind);
    return found.get(0);
  }
}
