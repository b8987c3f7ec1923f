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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A package set offered through a standing assignment to raw agents connected to node A, which
 * download it from node B (the configured download base): an agent that connects after the
 * assignment was made is offered it, installs it and the API shows it installed and its packages
 * not drifted; a second reports the install failed (drifted); an agent without AcceptsPackages is
 * offered nothing (drift null). Changing the assignment's package set is a rollout whose
 * failed-ratio gate pauses it when the second agent fails again, while the assignment keeps
 * offering the previous set.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AssignmentPackagesTest {

  /** ReportsStatus, AcceptsPackages, ReportsPackageStatuses. */
  private static final long CAPABILITIES = 0x1 | 0x8 | 0x10;

  private static final String PACKAGE = "assigned-addon";

  private final ObjectMapper json = new ObjectMapper();
  private final Map<ByteString, Long> sequence = new HashMap<>();
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
    Map<String, Object> ofB = new HashMap<>(packages);
    ofB.put("switchboard.opamp.port", opampPortOfB);
    b =
        SwitchboardNode.start(
            TestCluster.nodeConfig(database.url(), List.of(TestCluster.address(a)), ofB));
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
  void anAssignedPackageIsInstalledFromTheOtherNodeAndAFailedChangePausesItsRollout()
      throws Exception {
    String service = "assigned-" + UUID.randomUUID();
    String name = "pkg-" + UUID.randomUUID();
    byte[] first = TestPackages.content(300_000);
    byte[] second = TestPackages.content(200_000);
    upload("1.0.0", first);
    upload("2.0.0", second);
    String configuration = publishedConfiguration();

    JsonNode assignment =
        status(
            201,
            HttpProbe.send(
                a.apiPort(),
                "POST",
                "/api/assignments",
                "{\"name\": \""
                    + name
                    + "\", \"configuration\": \""
                    + configuration
                    + "\", \"version\": 1, \"selector\": {\"attributes\": \"service.name="
                    + service
                    + "\"}, \"packages\": [{\"name\": \""
                    + PACKAGE
                    + "\", \"version\": \"1.0.0\"}]}"));
    assertEquals("1.0.0", assignment.at("/packages/0/version").asText(), assignment.toString());

    ByteString installerUid = newUid();
    ByteString failerUid = newUid();
    ByteString refuserUid = newUid();
    try (RawAgent installer = RawAgent.connect(a.opampPort());
        RawAgent failer = RawAgent.connect(a.opampPort());
        RawAgent refuser = RawAgent.connect(a.opampPort())) {
      // Connected after the assignment was made: matched at their first message.
      installer.send(describe(installerUid, service, CAPABILITIES));
      PackagesAvailable offer = installer.nextPackageOffer(Duration.ofSeconds(20)).orElseThrow();
      String url = offer.getPackagesMap().get(PACKAGE).getFile().getDownloadUrl();
      assertTrue(
          url.startsWith("http://127.0.0.1:" + opampPortOfB + "/v1/packages/"),
          "the offer points at node B, the agent is connected to node A: " + url);
      PackageStatuses installed = RawAgent.install(offer, Map.of());
      assertEquals(
          PackageStatusEnum.PackageStatusEnum_Installed,
          installed.getPackagesMap().get(PACKAGE).getStatus(),
          installed.toString());
      installer.send(report(installerUid, installed));
      String installerId = InstanceUid.toText(installerUid);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  "INSTALLED"
                      .equals(
                          agent(installerId)
                              .at("/package_statuses/packages/" + PACKAGE + "/status")
                              .asText()));
      assertEquals(
          TestCluster.address(a), agent(installerId).path("owner_node").asText(), "on node A");
      JsonNode installedView = agent(installerId);
      assertEquals(
          false, installedView.path("packages_drifted").asBoolean(true), installedView.toString());
      assertEquals(name, installedView.at("/packages_offer/assignment").asText());
      assertEquals("1.0.0", installedView.at("/packages_offer/packages/0/version").asText());
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  HttpProbe.metric(b.metricsPort(), "switchboard_package_served_bytes_total")
                          .orElse(0)
                      >= first.length);

      failer.send(describe(failerUid, service, CAPABILITIES));
      PackagesAvailable failerOffer = failer.nextPackageOffer(Duration.ofSeconds(20)).orElseThrow();
      assertEquals(offer.getAllPackagesHash(), failerOffer.getAllPackagesHash());
      failer.send(report(failerUid, failed(failerOffer)));
      String failerId = InstanceUid.toText(failerUid);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  "INSTALL_FAILED"
                      .equals(
                          agent(failerId)
                              .at("/package_statuses/packages/" + PACKAGE + "/status")
                              .asText()));

      JsonNode failedView = agent(failerId);
      assertTrue(failedView.path("packages_drifted").asBoolean(false), failedView.toString());

      // Without AcceptsPackages: its config envelope is written, no packages envelope with it.
      refuser.send(describe(refuserUid, service, 0x1));
      String refuserId = InstanceUid.toText(refuserUid);
      await().atMost(Duration.ofSeconds(20)).until(() -> envelopes(refuserId).size() > 0);
      for (JsonNode envelope : envelopes(refuserId)) {
        assertEquals("REMOTE_CONFIG", envelope.path("kind").asText(), envelope.toString());
      }
      // Its envelopes can be written before the status writer stores the agent itself.
      await().atMost(Duration.ofSeconds(20)).until(() -> agent(refuserId).has("instance_uid"));
      JsonNode refuserView = agent(refuserId);
      assertTrue(refuserView.path("packages_drifted").isNull(), refuserView.toString());

      // The change of package set: a rollout over the two agents that accept packages.
      JsonNode changed =
          status(
              200,
              HttpProbe.send(
                  a.apiPort(),
                  "PUT",
                  "/api/assignments/" + name,
                  "{\"packages\": [{\"name\": \""
                      + PACKAGE
                      + "\", \"version\": \"2.0.0\"}], \"strategy\": {\"type\": \"fixed\","
                      + " \"batch_size\": 1}, \"gates\": {\"max_failed_ratio\": 0.5}}"));
      assertEquals("2.0.0", changed.at("/packages/0/version").asText(), changed.toString());
      assertEquals("1.0.0", changed.at("/previous_packages/0/version").asText());
      String rollout = changed.path("packages_rollout_id").asText();
      JsonNode started = HttpProbe.getJson(a.apiPort(), "/api/rollouts/" + rollout);
      assertEquals(2, started.path("batch_count").asInt(), started.toString());
      assertEquals(PACKAGE, started.at("/packages/0/name").asText(), started.toString());

      // The installer takes whatever it is offered; the failer fails it, and the gate trips.
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(50))
          .until(
              () -> {
                answer(installer, installerUid, true);
                answer(failer, failerUid, false);
                return "PAUSED"
                    .equals(
                        HttpProbe.getJson(a.apiPort(), "/api/rollouts/" + rollout)
                            .path("state")
                            .asText());
              });
      JsonNode paused = HttpProbe.getJson(a.apiPort(), "/api/rollouts/" + rollout);
      assertTrue(paused.path("detail").asText().contains("apply-failed"), paused.toString());
      JsonNode during = HttpProbe.getJson(a.apiPort(), "/api/assignments/" + name);
      assertEquals("PAUSED", during.path("packages_rollout_state").asText(), during.toString());
      assertEquals("1.0.0", during.at("/previous_packages/0/version").asText(), during.toString());
    }
  }

  /** Answers a package offer if one came: installs it, or reports the install failed. */
  private void answer(RawAgent agent, ByteString uid, boolean install) throws Exception {
    Optional<PackagesAvailable> offer = agent.nextPackageOffer(Duration.ofMillis(100));
    if (offer.isPresent()) {
      agent.send(
          report(uid, install ? RawAgent.install(offer.get(), Map.of()) : failed(offer.get())));
    }
  }

  private static PackageStatuses failed(PackagesAvailable offer) {
    return PackageStatuses.newBuilder()
        .setServerProvidedAllPackagesHash(offer.getAllPackagesHash())
        .putPackages(
            PACKAGE,
            PackageStatus.newBuilder()
                .setName(PACKAGE)
                .setServerOfferedVersion(offer.getPackagesMap().get(PACKAGE).getVersion())
                .setServerOfferedHash(offer.getPackagesMap().get(PACKAGE).getHash())
                .setStatus(PackageStatusEnum.PackageStatusEnum_InstallFailed)
                .setErrorMessage("no space left on device")
                .build())
        .build();
  }

  private void upload(String version, byte[] content) {
    assertEquals(
        201,
        TestPackages.create(a.apiPort(), PACKAGE, version, TestPackages.sha256(content))
            .statusCode());
    assertEquals(
        200, TestPackages.upload(a.apiPort(), PACKAGE, version, content, true).statusCode());
  }

  private String publishedConfiguration() throws Exception {
    String name = "collector-" + UUID.randomUUID();
    status(
        201,
        HttpProbe.send(a.apiPort(), "POST", "/api/configurations", "{\"name\": \"" + name + "\"}"));
    status(
        201,
        HttpProbe.send(
            a.apiPort(),
            "POST",
            "/api/configurations/" + name + "/versions",
            "{\"config_map\": {\"collector.yaml\": {\"content_type\": \"text/yaml\", \"body\":"
                + " \"v1\"}}}"));
    status(
        200,
        HttpProbe.send(
            a.apiPort(), "POST", "/api/configurations/" + name + "/versions/1/publish", ""));
    return name;
  }

  private JsonNode agent(String id) {
    return HttpProbe.getJson(a.apiPort(), "/api/agents/" + id);
  }

  private JsonNode envelopes(String id) {
    return HttpProbe.getJson(a.apiPort(), "/api/envelopes?agent=" + id).path("envelopes");
  }

  private JsonNode status(int expected, HttpResponse<String> response) throws Exception {
    assertEquals(expected, response.statusCode(), response.body());
    return json.readTree(response.body());
  }

  private AgentToServer describe(ByteString uid, String service, long capabilities) {
    sequence.put(uid, 1L);
    return fullState(uid, 1, service).toBuilder().setCapabilities(capabilities).build();
  }

  private AgentToServer report(ByteString uid, PackageStatuses statuses) {
    long next = sequence.merge(uid, 1L, Long::sum);
    return AgentToServer.newBuilder()
        .setInstanceUid(uid)
        .setSequenceNum(next)
        .setCapabilities(CAPABILITIES)
        .setPackageStatuses(statuses)
        .build();
  }
}
