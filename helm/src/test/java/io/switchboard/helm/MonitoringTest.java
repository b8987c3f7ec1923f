package io.switchboard.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The alert rules and the Grafana dashboard shipped with the chart have what Prometheus and Grafana
 * need, and only use metrics the catalog (docs/metrics.md) documents.
 */
class MonitoringTest {

  /** Switchboard's own series, and those of Kamon's Pekko and JVM instrumentation it documents. */
  private static final Pattern METRIC = Pattern.compile("(switchboard|pekko|executor|jvm)_[a-z_]+");

  private static final Set<String> VALID_SEVERITIES = Set.of("info", "warning", "critical");

  @Test
  void alertRulesAreCompleteAndUseDocumentedMetrics() throws Exception {
    JsonNode rule = Helm.only(Helm.render("-f", "switchboard/values-ha.yaml"), "PrometheusRule");
    JsonNode groups = rule.at("/spec/groups");
    assertFalse(groups.isEmpty());
    Set<String> names = new HashSet<>();
    int alerts = 0;
    for (JsonNode group : groups) {
      assertFalse(group.path("name").asText().isBlank(), "every group has a name");
      for (JsonNode alert : group.path("rules")) {
        String name = alert.path("alert").asText();
        assertTrue(name.matches("[A-Za-z][A-Za-z0-9]*"), "alert name " + name);
        assertTrue(names.add(name), "alert names are unique: " + name);
        assertFalse(alert.path("expr").asText().isBlank(), name + " has an expr");
        assertFalse(
            alert.path("expr").asText().contains("{{"), name + " has its thresholds filled in");
        assertTrue(alert.path("for").asText().matches("\\d+[smh]"), name + " has a for duration");
        assertTrue(
            VALID_SEVERITIES.contains(alert.at("/labels/severity").asText()),
            name + " has a severity");
        assertFalse(alert.at("/annotations/summary").asText().isBlank(), name + " has a summary");
        assertFalse(
            alert.at("/annotations/description").asText().isBlank(), name + " has a description");
        assertDocumented(alert.path("expr").asText(), name);
        alerts++;
      }
    }
    assertTrue(alerts >= 8, "saturation, persistence and cluster signals: " + alerts + " alerts");
    assertTrue(
        names.containsAll(
            Set.of(
                "SwitchboardSessionsNearCapacity",
                "SwitchboardDispatchesFindNoSession",
                "SwitchboardForwardedRatioHigh",
                "SwitchboardStatusWriteLagHigh",
                "SwitchboardRejectedFrames",
                "SwitchboardAgentsDisconnected",
                "SwitchboardAgentsDrifted")));
  }

  @Test
  void theFleetAlertsTakeTheirThresholdsAndCanBeLeftOut() throws Exception {
    JsonNode rule =
        Helm.only(
            Helm.render(
                "-f",
                "switchboard/values-ha.yaml",
                "--set-json",
                "alerts.fleet.disconnectedRatio=0.25",
                "--set-json",
                "alerts.fleet.driftRatio=0.05",
                "--set",
                "alerts.fleet.for=5m"),
            "PrometheusRule");
    String fleet = rule.at("/spec/groups").toString();
    assertTrue(
        fleet.contains(
            "switchboard_fleet_agents{state=\\\"disconnected\\\"}) / clamp_min(sum(switchboard_fleet_agents), 1) > 0.25"),
        fleet);
    assertTrue(fleet.contains("> 0.05"), fleet);
    assertTrue(fleet.contains("\"for\":\"5m\""), fleet);

    JsonNode without =
        Helm.only(
            Helm.render("-f", "switchboard/values-ha.yaml", "--set", "alerts.fleet.enabled=false"),
            "PrometheusRule");
    String rest = without.at("/spec/groups").toString();
    assertFalse(rest.contains("SwitchboardAgentsDisconnected"), rest);
    assertFalse(rest.contains("SwitchboardAgentsDrifted"), rest);
    assertTrue(rest.contains("SwitchboardSessionsNearCapacity"), "the other alerts stay");
  }

  @Test
  void theGrafanaDashboardIsCompleteAndUsesDocumentedMetrics() throws Exception {
    JsonNode configMap =
        Helm.render(Helm.AGENT_TOKEN).stream()
            .filter(
                manifest ->
                    manifest.path("kind").asText().equals("ConfigMap")
                        && manifest.at("/metadata/labels/grafana_dashboard").asText().equals("1"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("a ConfigMap labelled for the Grafana sidecar"));
    JsonNode dashboard =
        new ObjectMapper().readTree(configMap.at("/data/switchboard.json").asText());
    assertEquals("switchboard-fleet", dashboard.path("uid").asText());
    assertFalse(dashboard.path("title").asText().isBlank());
    assertEquals("datasource", dashboard.at("/templating/list/0/type").asText());
    Set<Integer> ids = new HashSet<>();
    for (JsonNode panel : dashboard.path("panels")) {
      String title = panel.path("title").asText();
      assertTrue(ids.add(panel.path("id").asInt()), "panel ids are unique");
      assertEquals("prometheus", panel.at("/datasource/type").asText(), title);
      assertTrue(
          panel.at("/gridPos/w").asInt() > 0 && panel.at("/gridPos/h").asInt() > 0,
          title + " has a place");
      assertFalse(panel.path("targets").isEmpty(), title + " has queries");
      for (JsonNode target : panel.path("targets")) {
        assertFalse(target.path("refId").asText().isBlank(), title);
        assertDocumented(target.path("expr").asText(), title);
      }
    }
    assertTrue(dashboard.path("panels").size() >= 10);
  }

  private static void assertDocumented(String expression, String where) throws Exception {
    String catalog = Files.readString(Path.of("..", "docs", "metrics.md"));
    Matcher metrics = METRIC.matcher(expression);
    List<String> found = metrics.results().map(match -> match.group()).toList();
    assertFalse(found.isEmpty(), where + " queries a documented metric");
    for (String metric : found) {
      String series = metric.replaceAll("_(bucket|count|sum)$", "");
      assertTrue(
          catalog.contains("`" + series), where + ": " + series + " is not in docs/metrics.md");
    }
  }
}
