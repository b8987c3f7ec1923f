package io.switchboard.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * What the chart does for security: agents need a token unless anonymous ones are intended, a
 * NetworkPolicy fences remoting, management and metrics, the container runs locked down, TLS key
 * material comes from Secrets, and a typo in values fails.
 */
class ChartSecurityTest {

  @Test
  void installingForAgentsWithoutATokenFailsUnlessAnonymousAgentsAreIntended() throws Exception {
    String refused = Helm.fails("template", "switchboard", Helm.CHART.toString());
    assertTrue(refused.contains("agentTokenSecret is empty"), refused);
    assertTrue(refused.contains("agents.allowAnonymous=true"), refused);
    Helm.only(Helm.render("--set", "agents.allowAnonymous=true"), "Deployment");
    Helm.only(Helm.render("--set", "roles=operators"), "Deployment");
    JsonNode deployment = Helm.only(Helm.render(Helm.AGENT_TOKEN), "Deployment");
    assertEquals(
        "token",
        env(deployment)
            .get("SWITCHBOARD_OPAMP_AUTH_TOKEN")
            .at("/valueFrom/secretKeyRef/key")
            .asText());
  }

  @Test
  void theNetworkPolicyAdmitsOnlyTheReleaseToRemotingAndManagementAndMonitoringToMetrics()
      throws Exception {
    JsonNode policy = Helm.only(Helm.render(Helm.AGENT_TOKEN), "NetworkPolicy");
    JsonNode selector = policy.at("/spec/podSelector/matchLabels");
    assertEquals("switchboard", selector.path("app.kubernetes.io/name").asText());
    assertEquals(List.of("Ingress"), strings(policy.at("/spec/policyTypes")));
    Map<String, JsonNode> fromByPort = new HashMap<>();
    for (JsonNode rule : policy.at("/spec/ingress")) {
      for (JsonNode port : rule.path("ports")) {
        fromByPort.put(port.path("port").asText(), rule.path("from"));
      }
    }
    assertEquals(Set.of("opamp", "http", "remoting", "management", "metrics"), fromByPort.keySet());
    assertTrue(fromByPort.get("opamp").isMissingNode(), "agents come from anywhere");
    for (String port : List.of("remoting", "management")) {
      JsonNode from = fromByPort.get(port);
      assertEquals(1, from.size(), port);
      assertEquals(selector, from.at("/0/podSelector/matchLabels"), port + ": the release only");
    }
    assertEquals(
        "monitoring",
        fromByPort
            .get("metrics")
            .at("/0/namespaceSelector/matchLabels/kubernetes.io~1metadata.name")
            .asText());

    JsonNode elsewhere =
        Helm.only(
            Helm.render(
                "--set",
                "agentTokenSecret=t",
                "--set",
                "networkPolicy.monitoringNamespace=observability"),
            "NetworkPolicy");
    assertTrue(elsewhere.toString().contains("\"observability\""));
    assertFalse(
        Helm.render("--set", "agentTokenSecret=t", "--set", "networkPolicy.enabled=false").stream()
            .anyMatch(manifest -> manifest.path("kind").asText().equals("NetworkPolicy")));
  }

  @Test
  void theContainerRunsLockedDownWithAWritableTmpAndTheImageOfTheChartsAppVersion()
      throws Exception {
    JsonNode deployment = Helm.only(Helm.render(Helm.AGENT_TOKEN), "Deployment");
    JsonNode container = deployment.at("/spec/template/spec/containers/0");
    JsonNode context = container.path("securityContext");
    assertFalse(context.path("allowPrivilegeEscalation").asBoolean(true));
    assertEquals(List.of("ALL"), strings(context.at("/capabilities/drop")));
    assertTrue(context.path("readOnlyRootFilesystem").asBoolean());
    assertEquals("RuntimeDefault", context.at("/seccompProfile/type").asText());
    assertTrue(
        StreamSupport.stream(container.path("volumeMounts").spliterator(), false)
            .anyMatch(mount -> mount.path("mountPath").asText().equals("/tmp")));
    assertTrue(
        StreamSupport.stream(deployment.at("/spec/template/spec/volumes").spliterator(), false)
            .anyMatch(
                volume -> volume.path("name").asText().equals("tmp") && volume.has("emptyDir")));
    assertEquals("switchboard:0.1.0", container.path("image").asText(), "the appVersion");
    assertEquals(
        "switchboard:9.9.9",
        Helm.only(
                Helm.render("--set", "agentTokenSecret=t", "--set", "image.tag=9.9.9"),
                "Deployment")
            .at("/spec/template/spec/containers/0/image")
            .asText());

    JsonNode overridden =
        Helm.only(
                Helm.render(
                    "--set",
                    "agentTokenSecret=t",
                    "--set",
                    "containerSecurityContext.readOnlyRootFilesystem=false"),
                "Deployment")
            .at("/spec/template/spec/containers/0/securityContext");
    assertFalse(overridden.path("readOnlyRootFilesystem").asBoolean(true), "overridable");
  }

  @Test
  void tlsKeyMaterialComesFromSecrets() throws Exception {
    JsonNode deployment =
        Helm.only(
            Helm.render(
                "--set",
                "agentTokenSecret=t",
                "--set",
                "opampTlsSecret=opamp-cert",
                "--set",
                "remoting.tlsSecret=cluster-cert"),
            "Deployment");
    Map<String, JsonNode> env = env(deployment);
    assertEquals("tls-tcp", env.get("SWITCHBOARD_REMOTE_TRANSPORT").path("value").asText());
    assertEquals(
        "/etc/switchboard/remoting-tls/keystore.p12",
        env.get("SWITCHBOARD_REMOTE_KEYSTORE").path("value").asText());
    assertEquals(
        "cluster-cert",
        env.get("SWITCHBOARD_REMOTE_KEYSTORE_PASSWORD")
            .at("/valueFrom/secretKeyRef/name")
            .asText());
    assertEquals(
        "/etc/switchboard/opamp-tls/tls.crt",
        env.get("SWITCHBOARD_OPAMP_TLS_CERTIFICATE_PEM").path("value").asText());
    List<String> secrets = new ArrayList<>();
    deployment
        .at("/spec/template/spec/volumes")
        .forEach(volume -> secrets.add(volume.at("/secret/secretName").asText()));
    assertTrue(secrets.containsAll(List.of("opamp-cert", "cluster-cert")), secrets.toString());
    assertFalse(
        env(Helm.only(Helm.render(Helm.AGENT_TOKEN), "Deployment"))
            .containsKey("SWITCHBOARD_REMOTE_TRANSPORT"),
        "plain TCP unless a Secret is named");
  }

  @Test
  void aTypoOrABadValueFailsTheStrictLint() throws Exception {
    String typo =
        Helm.fails(
            "lint",
            "--strict",
            Helm.CHART.toString(),
            "--set",
            "agentTokenSecret=t",
            "--set",
            "replicaCont=2");
    assertTrue(typo.contains("replicaCont"), typo);
    String nested =
        Helm.fails(
            "lint", "--strict", Helm.CHART.toString(), "--set", "networkPolicy.enable=false");
    assertTrue(nested.contains("enable"), nested);
    String bad = Helm.fails("lint", "--strict", Helm.CHART.toString(), "--set", "logFormat=xml");
    assertTrue(bad.contains("logFormat"), bad);
    assertTrue(
        Helm.run("lint", "--strict", Helm.CHART.toString(), "--set", "agentTokenSecret=t")
            .contains("0 chart(s) failed"));
  }

  private static Map<String, JsonNode> env(JsonNode deployment) {
    return StreamSupport.stream(
            deployment.at("/spec/template/spec/containers/0/env").spliterator(), false)
        .collect(
            Collectors.toMap(variable -> variable.path("name").asText(), variable -> variable));
  }

  private static List<String> strings(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
  }
}
