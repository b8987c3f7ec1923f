package io.switchboard.it.dashboard;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.switchboard.node.SwitchboardNode;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.opamp.proto.AgentCapabilities;
import io.switchboard.opamp.proto.AvailableComponents;
import io.switchboard.opamp.proto.ComponentDetails;
import io.switchboard.testkit.AgentMessages;
import io.switchboard.testkit.RawAgent;
import io.switchboard.testkit.TestNodes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The agent page in headless Chromium shows the components an agent reported it can run, kind by
 * kind, and says so when an agent reported none.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AvailableComponentsBrowserTest {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final String PASSWORD = "components admin password";

  private SwitchboardNode node;
  private WebDriver browser;

  @BeforeAll
  void start() throws Exception {
    assertTrue(
        Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "the browser tests need Debian's chromium and chromium-driver: apt-get install chromium chromium-driver (.ci/run does)");
    node =
        SwitchboardNode.start(
            TestNodes.config(
                Map.of(
                    "switchboard.api.auth.enabled",
                    true,
                    "switchboard.api.auth.admin-password",
                    PASSWORD)));
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
  void theAgentPageListsTheComponentsAnAgentReported() throws Exception {
    ByteString reporting = AgentMessages.newUid();
    ByteString silent = AgentMessages.newUid();
    AvailableComponents components =
        AvailableComponents.newBuilder()
            .setHash(ByteString.copyFromUtf8("browser"))
            .putComponents(
                "receivers",
                ComponentDetails.newBuilder()
                    .putSubComponentMap("otlp", ComponentDetails.getDefaultInstance())
                    .build())
            .putComponents(
                "exporters",
                ComponentDetails.newBuilder()
                    .putSubComponentMap("debug", ComponentDetails.getDefaultInstance())
                    .putSubComponentMap("kafka", ComponentDetails.getDefaultInstance())
                    .build())
            .build();
    try (RawAgent agent = RawAgent.connect(node.opampPort());
        RawAgent other = RawAgent.connect(node.opampPort())) {
      agent.send(
          AgentMessages.fullState(reporting, 1, "components-page").toBuilder()
              .setCapabilities(
                  AgentCapabilities.AgentCapabilities_ReportsStatus_VALUE
                      | AgentCapabilities.AgentCapabilities_ReportsAvailableComponents_VALUE)
              .setAvailableComponents(components)
              .build());
      agent.receive();
      other.send(AgentMessages.fullState(silent, 1, "components-page"));
      other.receive();

      browser.get("http://127.0.0.1:" + node.apiPort() + "/");
      signIn();
      browser.get(
          "http://127.0.0.1:" + node.apiPort() + "/#/agents/" + InstanceUid.toText(reporting));
      await()
          .atMost(Duration.ofSeconds(20))
          .ignoreExceptions()
          .untilAsserted(
              () -> {
                String table = browser.findElement(By.id("available-components")).getText();
                assertTrue(table.contains("exporters"), table);
                assertTrue(table.contains("debug, kafka"), table);
                assertTrue(table.contains("receivers"), table);
                assertTrue(table.contains("otlp"), table);
              });

      browser.get("http://127.0.0.1:" + node.apiPort() + "/#/agents/" + InstanceUid.toText(silent));
      await()
          .atMost(Duration.ofSeconds(20))
          .ignoreExceptions()
          .untilAsserted(
              () ->
                  assertTrue(
                      browser
                          .findElement(By.id("available-components"))
                          .getText()
                          .contains("not reported")));
    }
  }

  private void signIn() {
    WebElement form =
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> browser.findElements(By.id("login")), found -> !found.isEmpty())
            .get(0);
    form.findElement(By.name("username")).sendKeys("admin");
    form.findElement(By.name("password")).sendKeys(PASSWORD);
    form.findElement(By.cssSelector("button[type=submit]")).click();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> browser.findElement(By.id("whoami")).getText().startsWith("admin"));
  }
}
