package io.switchboard.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/** The chart lints strictly, and what it renders is a Pekko cluster Kubernetes can run. */
class ChartTest {

  @Test
  void theChartLintsStrictlyWithTheDefaultAndTheHaValues() throws Exception {
    assertTrue(Helm.run("lint", "--strict", Helm.CHART.toString()).contains("0 chart(s) failed"));
    assertTrue(
        Helm.run("lint", "--strict", Helm.CHART.toString(), "-f", "switchboard/values-ha.yaml")
            .contains("0 chart(s) failed"));
  }

  @Test
  void theDeploymentRollsOneNodeAtATimeWithProbesPortsAndResources() throws Exception {
    for (List<JsonNode> manifests :
        List.of(Helm.render(Helm.AGENT_TOKEN), Helm.render("-f", "switchboard/values-ha.yaml"))) {
      JsonNode deployment = Helm.only(manifests, "Deployment");
      assertEquals(1, deployment.at("/spec/strategy/rollingUpdate/maxSurge").asInt());
      assertEquals(0, deployment.at("/spec/strategy/rollingUpdate/maxUnavailable").asInt());
      JsonNode container = deployment.at("/spec/template/spec/containers/0");

      Map<String, Integer> ports = new HashMap<>();
      container
          .path("ports")
          .forEach(
              port -> ports.put(port.path("name").asText(), port.path("containerPort").asInt()));
      assertEquals(
          Map.of(
              "opamp", 4320, "http", 8080, "management", 7626, "metrics", 9095, "remoting", 7355),
          ports);

      assertEquals("/ready", container.at("/readinessProbe/httpGet/path").asText());
      assertEquals("management", container.at("/readinessProbe/httpGet/port").asText());
      assertEquals("/alive", container.at("/livenessProbe/httpGet/path").asText());
      assertEquals("management", container.at("/livenessProbe/httpGet/port").asText());

      assertEquals(
          container.at("/resources/requests/memory"),
          container.at("/resources/limits/memory"),
          "memory request = limit");
      assertTrue(container.at("/resources/limits/cpu").isMissingNode(), "no CPU limit");
      assertTrue(
          env(container)
              .get("JAVA_TOOL_OPTIONS")
              .path("value")
              .asText()
              .contains("MaxRAMPercentage"));
      assertEquals(
          "bootstrap", env(container).get("SWITCHBOARD_CLUSTER_FORMATION").path("value").asText());
      assertEquals(
          "kubernetes-api",
          env(container).get("SWITCHBOARD_DISCOVERY_METHOD").path("value").asText());
      assertEquals("json", env(container).get("SWITCHBOARD_LOG_FORMAT").path("value").asText());
      assertEquals(
          "url",
          env(container)
              .get("SWITCHBOARD_DATABASE_URL")
              .at("/valueFrom/secretKeyRef/key")
              .asText());
      assertEquals(
          "readUrl",
          env(container)
              .get("SWITCHBOARD_DATABASE_READ_URL")
              .at("/valueFrom/secretKeyRef/key")
              .asText());
      assertFalse(
          deployment.at("/spec/template/spec/topologySpreadConstraints").isEmpty(),
          "spread across zones");

      // Cluster Bootstrap looks pods up by the app name label: the pods must carry it.
      assertEquals(
          env(container).get("SWITCHBOARD_SERVICE_NAME").path("value").asText(),
          deployment.at("/spec/template/metadata/labels/app.kubernetes.io~1name").asText());
    }
  }

  @Test
  void bootstrapMayReadPodsAndNothingElse() throws Exception {
    List<JsonNode> manifests = Helm.render(Helm.AGENT_TOKEN);
    JsonNode role = Helm.only(manifests, "Role");
    assertEquals(1, role.path("rules").size());
    JsonNode rule = role.at("/rules/0");
    assertEquals("[\"pods\"]", rule.path("resources").toString());
    assertEquals(Set.of("get", "watch", "list"), strings(rule.path("verbs")));
    JsonNode binding = Helm.only(manifests, "RoleBinding");
    JsonNode account = Helm.only(manifests, "ServiceAccount");
    assertEquals(role.at("/metadata/name"), binding.at("/roleRef/name"));
    assertEquals(account.at("/metadata/name"), binding.at("/subjects/0/name"));
    assertEquals(
        account.at("/metadata/name"),
        Helm.only(manifests, "Deployment").at("/spec/template/spec/serviceAccountName"));
  }

  @Test
  void disruptionsTakeOneNodeAtATimeAndServicesReachTheNamedPorts() throws Exception {
    List<JsonNode> manifests = Helm.render("-f", "switchboard/values-ha.yaml");
    JsonNode budget = Helm.only(manifests, "PodDisruptionBudget");
    assertEquals(1, budget.at("/spec/maxUnavailable").asInt());
    assertEquals(
        Helm.only(manifests, "Deployment").at("/spec/selector/matchLabels"),
        budget.at("/spec/selector/matchLabels"));
    Set<String> targetPorts =
        manifests.stream()
            .filter(manifest -> manifest.path("kind").asText().equals("Service"))
            .flatMap(
                service -> StreamSupport.stream(service.at("/spec/ports").spliterator(), false))
            .map(port -> port.path("targetPort").asText())
            .collect(Collectors.toSet());
    assertEquals(Set.of("opamp", "http", "metrics"), targetPorts);
    assertEquals(
        "lease-majority",
        env(Helm.only(manifests, "Deployment").at("/spec/template/spec/containers/0"))
            .get("SWITCHBOARD_SBR_STRATEGY")
            .path("value")
            .asText());
    Helm.only(manifests, "ServiceMonitor");
    Helm.only(manifests, "PrometheusRule");
    Helm.only(manifests, "Ingress");
    assertTrue(
        manifests.stream().noneMatch(manifest -> manifest.path("kind").asText().equals("Secret")),
        "the HA values use an existing Secret");
  }

  private static Map<String, JsonNode> env(JsonNode container) {
    Map<String, JsonNode> env = new HashMap<>();
    container.path("env").forEach(variable -> env.put(variable.path("name").asText(), variable));
    return env;
  }

  private static Set<String> strings(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false)
        .map(JsonNode::asText)
        .collect(Collectors.toSet());
  }
}
