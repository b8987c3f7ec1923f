package io.switchboard.it.dashboard;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.switchboard.node.SwitchboardNode;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.opamp.proto.AgentToServer;
import io.switchboard.opamp.proto.PackageDownloadDetails;
import io.switchboard.opamp.proto.PackageStatus;
import io.switchboard.opamp.proto.PackageStatusEnum;
import io.switchboard.opamp.proto.PackageStatuses;
import io.switchboard.opamp.proto.PackagesAvailable;
import io.switchboard.testkit.AgentMessages;
import io.switchboard.testkit.HttpProbe;
import io.switchboard.testkit.RawAgent;
import io.switchboard.testkit.TestNodes;
import io.switchboard.testkit.TestPackages;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The agent page in headless Chromium shows the agent's packages: each offered or reported one with
 * its versions, status, error and download progress, whether they drifted from the offer its
 * assignment made, and no drift once the agent installed the offer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PackagesBrowserTest {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  /** ReportsStatus, AcceptsPackages, ReportsPackageStatuses. */
  private static final long CAPABILITIES = 0x1 | 0x8 | 0x10;

  private SwitchboardNode node;
  private WebDriver browser;

  @BeforeAll
  void start() throws Exception {
    assertTrue(
        Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "the browser tests need Debian's chromium and chromium-driver: apt-get install chromium chromium-driver (.ci/run does)");
    node = SwitchboardNode.start(TestNodes.config(Map.of()));
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1400,1000",
        "--user-data-dir=" + Files.createTempDirectory("switchboard-chromium"));
    browser =
        new ChromeDriver(
            new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build(),
            options);
  }

  @AfterAll
  void stop() {
    if (browser != null) {
      browser.quit();
    }
    node.close();
  }

  @Test
  void theAgentPageShowsPackageStatusesAndTheirDrift() throws Exception {
    String service = "packages-page-" + UUID.randomUUID();
    String assignment = "page-" + UUID.randomUUID().toString().substring(0, 8);
    byte[] content = TestPackages.content(10_000);
    assertEquals(
        201,
        TestPackages.create(node.apiPort(), "page-addon", "3.1.0", TestPackages.sha256(content))
            .statusCode());
    assertEquals(
        200,
        TestPackages.upload(node.apiPort(), "page-addon", "3.1.0", content, true).statusCode());
    String configuration = "page-" + UUID.randomUUID();
    created(post("/api/configurations", "{\"name\": \"" + configuration + "\"}"));
    created(
        post(
            "/api/configurations/" + configuration + "/versions",
            "{\"config_map\": {\"c.yaml\": {\"content_type\": \"text/yaml\", \"body\": \"a\"}}}"));
    assertEquals(
        200, post("/api/configurations/" + configuration + "/versions/1/publish", "").statusCode());
    created(
        post(
            "/api/assignments",
            "{\"name\": \""
                + assignment
                + "\", \"configuration\": \""
                + configuration
                + "\", \"version\": 1, \"selector\": {\"attributes\": \"service.name="
                + service
                + "\"}, \"packages\": [{\"name\": \"page-addon\", \"version\": \"3.1.0\"}]}"));

    ByteString uid = AgentMessages.newUid();
    try (RawAgent agent = RawAgent.connect(node.opampPort())) {
      agent.send(
          AgentMessages.fullState(uid, 1, service).toBuilder()
              .setCapabilities(CAPABILITIES)
              .build());
      PackagesAvailable offer = agent.nextPackageOffer(Duration.ofSeconds(20)).orElseThrow();
      agent.send(
          report(
              uid,
              2,
              PackageStatuses.newBuilder()
                  .setServerProvidedAllPackagesHash(offer.getAllPackagesHash())
                  .putPackages(
                      "page-addon",
                      PackageStatus.newBuilder()
                          .setName("page-addon")
                          .setServerOfferedVersion("3.1.0")
                          .setStatus(PackageStatusEnum.PackageStatusEnum_InstallFailed)
                          .setErrorMessage("checksum mismatch on disk")
                          .build())
                  .putPackages(
                      "local-extra",
                      PackageStatus.newBuilder()
                          .setName("local-extra")
                          .setStatus(PackageStatusEnum.PackageStatusEnum_Downloading)
                          .setDownloadDetails(
                              PackageDownloadDetails.newBuilder().setDownloadPercent(42.4))
                          .build())
                  .build()));
      String id = InstanceUid.toText(uid);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  HttpProbe.getJson(node.apiPort(), "/api/agents/" + id)
                      .path("packages_drifted")
                      .asBoolean(false));

      browser.get("http://127.0.0.1:" + node.apiPort() + "/#/agents/" + id);
      await()
          .atMost(Duration.ofSeconds(20))
          .ignoreExceptions()
          .untilAsserted(
              () -> {
                String table = browser.findElement(By.id("package-statuses")).getText();
                assertTrue(table.contains("page-addon 3.1.0"), table);
                assertTrue(table.contains("INSTALL_FAILED"), table);
                assertTrue(table.contains("checksum mismatch on disk"), table);
                assertTrue(table.contains("local-extra"), table);
                assertTrue(table.contains("DOWNLOADING"), table);
                assertTrue(table.contains("42%"), table);
                String section = browser.findElement(By.id("agent-packages")).getText();
                assertTrue(section.contains("drifted"), section);
                assertTrue(section.contains("assignment " + assignment), section);
              });

      agent.send(report(uid, 3, RawAgent.install(offer, Map.of())));
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  !HttpProbe.getJson(node.apiPort(), "/api/agents/" + id)
                      .path("packages_drifted")
                      .asBoolean(true));
      browser.navigate().refresh();
      await()
          .atMost(Duration.ofSeconds(20))
          .ignoreExceptions()
          .untilAsserted(
              () -> {
                assertEquals("none", browser.findElement(By.id("packages-drift")).getText());
                String table = browser.findElement(By.id("package-statuses")).getText();
                assertTrue(table.contains("page-addon 3.1.0 3.1.0 INSTALLED"), table);
              });
    }
  }

  private static AgentToServer report(ByteString uid, long sequence, PackageStatuses statuses) {
    return AgentToServer.newBuilder()
        .setInstanceUid(uid)
        .setSequenceNum(sequence)
        .setCapabilities(CAPABILITIES)
        .setPackageStatuses(statuses)
        .build();
  }

  private HttpResponse<String> post(String path, String body) {
    return HttpProbe.send(node.apiPort(), "POST", path, body);
  }

  private static void created(HttpResponse<String> response) {
    assertEquals(201, response.statusCode(), response.body());
  }
}
