package io.switchboard.it.packages;

import static io.switchboard.testkit.AgentMessages.fullState;
import static io.switchboard.testkit.AgentMessages.newUid;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.switchboard.it.cluster.TestCluster;
import io.switchboard.node.SwitchboardNode;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.opamp.proto.AgentToServer;
import io.switchboard.opamp.proto.PackageStatus;
import io.switchboard.opamp.proto.PackageStatusEnum;
import io.switchboard.opamp.proto.PackageStatuses;
import io.switchboard.opamp.proto.PackagesAvailable;
import io.switchboard.testkit.FreePorts;
import io.switchboard.testkit.HttpProbe;
import io.switchboard.testkit.RawAgent;
import io.switchboard.testkit.TestDatabase;
import io.switchboard.testkit.TestPackages;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A package set rolled out, batch by batch, to raw agents connected to node A, which download the
 * package from node B (the configured download base), check its hash and report: the first agent
 * installs it, the second reports the install failed, and the failed-ratio gate pauses the rollout.
 * What each agent reported is shown in the API.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PackageRolloutTest {

  /** ReportsStatus, AcceptsPackages, ReportsPackageStatuses. */
  private static final long CAPABILITIES = 0x1 | 0x8 | 0x10;

  private TestDatabase database;
  private SwitchboardNode a;
  private SwitchboardNode b;
  private int opampPortOfB;

  @BeforeAll
  void startCluster() {
    database = TestDatabase.start();
    opampPortOfB = FreePorts.next();
    Map<String, Object> packages =
        Map.of(
            "switchboard.packages.download-base-url",
            "http://127.0.0.1:" + opampPortOfB,
            "switchboard.rollouts.tick",
            "500ms");
    a = SwitchboardNode.start(TestCluster.nodeConfig(database.url(), List.of(), packages));
    b =
        SwitchboardNode.start(
            TestCluster.nodeConfig(
                database.url(),
                List.of(TestCluster.address(a)),
                merged(packages, Map.of("switchboard.opamp.port", opampPortOfB))));
    await().atMost(Duration.ofSeconds(30)).until(() -> TestCluster.upMembers(a) == 2);
    await()
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptions()
        .until(() -> HttpProbe.get(a.apiPort(), "/api/packages").statusCode() == 200);
  }

  @AfterAll
  void stopCluster() {
    for (SwitchboardNode node : new SwitchboardNode[] {b, a}) {
      if (node != null) {
        node.close();
      }
    }
    database.close();
  }

  @Test
  void anAgentInstallsAPackageFromTheOtherNodeAndAFailedInstallPausesTheRollout() throws Exception {
    String service = "packaged-" + UUID.randomUUID();
    byte[] content = TestPackages.content(600_000);
    assertEquals(
        201,
        TestPackages.create(a.apiPort(), "collector-addon", "2.0.0", TestPackages.sha256(content))
            .statusCode());
    assertEquals(
        200,
        TestPackages.upload(a.apiPort(), "collector-addon", "2.0.0", content, true).statusCode());

    ByteString firstUid = newUid();
    ByteString secondUid = newUid();
    try (RawAgent first = RawAgent.connect(a.opampPort());
        RawAgent second = RawAgent.connect(a.opampPort())) {
      for (var agent : List.of(Map.entry(first, firstUid), Map.entry(second, secondUid))) {
        agent.getKey().send(describe(agent.getValue(), service));
        agent.getKey().receive();
        String id = InstanceUid.toText(agent.getValue());
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> HttpProbe.get(a.apiPort(), "/api/agents/" + id).statusCode() == 200);
      }

      HttpResponse<String> created =
          HttpProbe.send(
              a.apiPort(),
              "POST",
              "/api/rollouts",
              "{\"packages\": [{\"name\": \"collector-addon\", \"version\": \"2.0.0\"}],"
                  + " \"selector\": {\"attributes\": {\"service.name\": \""
                  + service
                  + "\"}}, \"strategy\": {\"type\": \"fixed\", \"batch_size\": 1},"
                  + " \"gates\": {\"max_failed_ratio\": 0.5}}");
      assertEquals(201, created.statusCode(), created.body());
      String rollout = new ObjectMapper().readTree(created.body()).path("id").asText();

      // Whichever agent is in the first batch is offered the packages first and installs them.
      RawAgent installer = null;
      PackagesAvailable offer = null;
      for (int round = 0; round < 100 && offer == null; round++) {
        for (RawAgent agent : List.of(first, second)) {
          Optional<PackagesAvailable> offered = agent.nextPackageOffer(Duration.ofMillis(100));
          if (offered.isPresent()) {
            installer = agent;
            offer = offered.get();
            break;
          }
        }
      }
      assertTrue(offer != null, "one agent was offered the packages");
      String url = offer.getPackagesMap().get("collector-addon").getFile().getDownloadUrl();
      assertTrue(
          url.startsWith("http://127.0.0.1:" + opampPortOfB + "/v1/packages/"),
          "the offer points at node B, the agents are connected to node A: " + url);
      PackageStatuses installed = RawAgent.install(offer, Map.of());
      assertEquals(
          PackageStatusEnum.PackageStatusEnum_Installed,
          installed.getPackagesMap().get("collector-addon").getStatus(),
          installed.toString());
      ByteString installerUid = installer == first ? firstUid : secondUid;
      installer.send(report(installerUid, installed));

      // The second batch: the other agent is offered the same and fails to install it.
      RawAgent failer = installer == first ? second : first;
      ByteString failerUid = installer == first ? secondUid : firstUid;
      PackagesAvailable secondOffer = failer.nextPackageOffer(Duration.ofSeconds(20)).orElseThrow();
      assertEquals(offer.getAllPackagesHash(), secondOffer.getAllPackagesHash());
      failer.send(
          report(
              failerUid,
              PackageStatuses.newBuilder()
                  .setServerProvidedAllPackagesHash(secondOffer.getAllPackagesHash())
                  .putPackages(
                      "collector-addon",
                      PackageStatus.newBuilder()
                          .setName("collector-addon")
                          .setServerOfferedVersion("2.0.0")
                          .setServerOfferedHash(
                              secondOffer.getPackagesMap().get("collector-addon").getHash())
                          .setStatus(PackageStatusEnum.PackageStatusEnum_InstallFailed)
                          .setErrorMessage("no space left on device")
                          .build())
                  .build()));

      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  HttpProbe.getJson(a.apiPort(), "/api/rollouts/" + rollout)
                      .path("state")
                      .asText()
                      .equals("PAUSED"));
      JsonNode paused = HttpProbe.getJson(a.apiPort(), "/api/rollouts/" + rollout);
      assertTrue(paused.path("detail").asText().contains("apply-failed"), paused.toString());
      assertEquals(1, paused.at("/batches/0/applied").asInt(), paused.toString());
      assertEquals(1, paused.at("/batches/1/failed").asInt(), paused.toString());
      assertEquals("collector-addon", paused.at("/packages/0/name").asText());

      String installerId = InstanceUid.toText(installerUid);
      String failerId = InstanceUid.toText(failerUid);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  HttpProbe.getJson(a.apiPort(), "/api/agents/" + failerId)
                      .at("/package_statuses/packages/collector-addon/status")
                      .asText()
                      .equals("INSTALL_FAILED"));
      assertEquals(
          "no space left on device",
          HttpProbe.getJson(a.apiPort(), "/api/agents/" + failerId)
              .at("/package_statuses/packages/collector-addon/error_message")
              .asText());
      assertEquals(
          "INSTALLED",
          HttpProbe.getJson(a.apiPort(), "/api/agents/" + installerId)
              .at("/package_statuses/packages/collector-addon/status")
              .asText());
      assertTrue(
          HttpProbe.getJson(a.apiPort(), "/api/agents/" + installerId)
              .path("owner_node")
              .asText()
              .equals(TestCluster.address(a)),
          "the installing agent's session is on node A");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  HttpProbe.metric(b.metricsPort(), "switchboard_package_served_bytes_total")
                          .orElse(0)
                      >= content.length);
    }
  }

  private static AgentToServer describe(ByteString uid, String service) {
    return fullState(uid, 1, service).toBuilder().setCapabilities(CAPABILITIES).build();
  }

  private static AgentToServer report(ByteString uid, PackageStatuses statuses) {
    return AgentToServer.newBuilder()
        .setInstanceUid(uid)
        .setSequenceNum(2)
        .setCapabilities(CAPABILITIES)
        .setPackageStatuses(statuses)
        .build();
  }

  private static Map<String, Object> merged(Map<String, Object> one, Map<String, Object> other) {
    java.util.Map<String, Object> all = new java.util.HashMap<>(one);
    all.putAll(other);
    return all;
  }
}
