package io.switchboard.it.dashboard;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.opentelemetry.opamp.client.OpampClient;
import io.opentelemetry.opamp.client.OpampClientBuilder;
import io.opentelemetry.opamp.client.internal.connectivity.http.OkHttpSender;
import io.opentelemetry.opamp.client.internal.request.delay.PeriodicDelay;
import io.opentelemetry.opamp.client.internal.request.service.HttpRequestService;
import io.switchboard.it.ReportingAgent;
import io.switchboard.node.SwitchboardNode;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.testkit.HttpProbe;
import io.switchboard.testkit.TestNodes;
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
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The dashboard in headless Chromium (Debian's chromium and chromium-driver, which .ci/run
 * installs): an operator signs in, finds an agent connected by the OpenTelemetry client, pushes a
 * config to it and sees it turn APPLIED without reloading; a viewer's push is refused by the API.
 * Each page's screenshot goes to target/screenshots, or, to refresh the pictures the docs show, to
 * docs/screenshots when run with {@code -Dswitchboard.screenshots.update=true}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardBrowserTest {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  /**
   * The docs' pictures (docs/screenshots, tracked) only when asked for with {@code
   * -Dswitchboard.screenshots.update=true}; otherwise this module's target/screenshots, so that a
   * test run changes no tracked file.
   */
  private static final Path SCREENSHOTS =
      Boolean.getBoolean("switchboard.screenshots.update")
          ? Path.of("..", "docs", "screenshots")
          : Path.of("target", "screenshots");

  private static final String PASSWORD = "dashboard admin password";

  private final ObjectMapper json = new ObjectMapper();
  private SwitchboardNode node;
  private OpampClient client;
  private WebDriver browser;
  private String service;
  private String instanceUid;

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
                    PASSWORD,
                    "switchboard.api.live-interval",
                    "500ms")));
    service = "checkout-" + UUID.randomUUID().toString().substring(0, 8);
    byte[] uid = OpampClientBuilder.createRandomInstanceUid();
    instanceUid = InstanceUid.toText(ByteString.copyFrom(uid));
    PeriodicDelay everySecond = PeriodicDelay.ofFixedDuration(Duration.ofSeconds(1));
    client =
        OpampClient.builder()
            .setInstanceUid(uid)
            .setRequestService(
                HttpRequestService.create(
                    OkHttpSender.create("http://127.0.0.1:" + node.opampPort() + "/v1/opamp"),
                    everySecond,
                    everySecond))
            .putIdentifyingAttribute("service.name", service)
            .putNonIdentifyingAttribute("os.type", "linux")
            .putIdentifyingAttribute("service.version", "0.131.0")
            .enableRemoteConfig()
            .build(ReportingAgent.applying());

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
    Files.createDirectories(SCREENSHOTS);
  }

  @AfterAll
  void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    if (client != null) {
      client.close();
    }
    node.close();
  }

  @Test
  void anOperatorPushesAConfigAndSeesItAppliedLiveWhileAViewerIsRefused() throws Exception {
    browser.get(url("/"));
    signIn("admin", PASSWORD);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> !browser.findElements(By.cssSelector("#fleet-cards .stat")).isEmpty());
    // Live updates redraw the cards, so an element found may go stale before it is read.
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreException(StaleElementReferenceException.class)
        .until(() -> stat("connected").equals("1"));
    screenshot("overview");

    browser.get(url("/#/agents?attribute=service.name%3D" + service));
    await()
        .atMost(Duration.ofSeconds(20))
        .ignoreException(StaleElementReferenceException.class)
        .until(
            () ->
                browser
                    .findElements(By.cssSelector("tr[data-agent='" + instanceUid + "']"))
                    .stream()
                    .anyMatch(row -> row.getText().contains("CONNECTED")));
    screenshot("agents");

    await()
        .atMost(Duration.ofSeconds(10))
        .ignoreException(StaleElementReferenceException.class)
        .untilAsserted(
            () ->
                browser
                    .findElement(By.cssSelector("tr[data-agent='" + instanceUid + "']"))
                    .click());
    WebElement push =
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> browser.findElements(By.id("push-config")), found -> !found.isEmpty())
            .get(0);
    ((JavascriptExecutor) browser).executeScript("window.notReloaded = true;");
    WebElement body = push.findElement(By.name("body"));
    body.clear();
    body.sendKeys("receivers:\n  otlp: {}\n");
    push.findElement(By.cssSelector("button[type=submit]")).click();

    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(() -> browser.findElement(By.id("config-status")).getText().contains("APPLIED"));
    assertEquals(
        Boolean.TRUE,
        ((JavascriptExecutor) browser).executeScript("return window.notReloaded === true;"),
        "updated live, no reload");
    screenshot("agent");

    prepareConfigurationAndRollout();
    for (String page : new String[] {"configurations", "rollouts", "audit", "cluster"}) {
      browser.get(url("/#/" + page));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> !browser.findElements(By.cssSelector("main table")).isEmpty());
      screenshot(page);
    }
    browser.findElement(By.linkText("Rollouts")).click();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> !browser.findElements(By.cssSelector("#rollouts a")).isEmpty());
    browser.findElement(By.cssSelector("#rollouts a")).click();
    // The page redraws itself with each live update, so an element found may go stale.
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(() -> browser.findElement(By.id("rollout-state")).getText().contains("COMPLETED"));
    screenshot("rollout");

    anAssignmentIsCreatedWithAPreviewAndTheAgentPageNamesIt();

    browser.findElement(By.linkText("sign out")).click();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> !browser.findElements(By.id("login")).isEmpty());
    signIn("viewer", "a viewer's long password");
    browser.get(url("/#/agents/" + instanceUid));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> !browser.findElements(By.id("agent-status")).isEmpty());
    assertTrue(
        !browser.findElement(By.id("push-config")).isDisplayed(),
        "a viewer is not offered the push");
    Object status =
        ((JavascriptExecutor) browser)
            .executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                    + "fetch('/api/session').then(r => r.json()).then(me => fetch('/api/agents/"
                    + instanceUid
                    + "/remote-config', {"
                    + " method: 'PUT', headers: {'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token},"
                    + " body: JSON.stringify({config_map: {'c.yaml': {body: 'x: 1'}}})})).then(r => done(r.status));");
    assertEquals(403L, status, "the API refuses a viewer's push");
  }

  /**
   * The agent's override cleared, an assignment made on the Assignments page (its selector
   * previewed as it is typed) reaches the agent, whose page names it; then its version changes from
   * the same page, which is a rollout.
   */
  private void anAssignmentIsCreatedWithAPreviewAndTheAgentPageNamesIt() throws Exception {
    assertEquals(
        204,
        send(
                "DELETE",
                "/api/agents/" + instanceUid + "/remote-config",
                "",
                signedIn("admin", PASSWORD))
            .statusCode());
    browser.findElement(By.linkText("Assignments")).click();
    WebElement form =
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> browser.findElements(By.id("new-assignment")), found -> !found.isEmpty())
            .get(0);
    form.findElement(By.name("name")).sendKeys("edge");
    form.findElement(By.name("configuration")).sendKeys("collector");
    form.findElement(By.name("version")).sendKeys("1");
    form.findElement(By.name("attributes")).sendKeys("service.name in (" + service + ",other)");
    form.findElement(By.name("labels")).sendKeys("!legacy");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                browser
                    .findElement(By.id("assignment-preview"))
                    .getText()
                    .equals("1 agents match"));
    form.findElement(By.cssSelector("button[type=submit]")).click();
    await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .until(() -> browser.findElement(By.id("assignments")).getText().contains("edge"));
    screenshot("assignments");

    browser.get(url("/#/agents/" + instanceUid));
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(
            () ->
                browser.findElement(By.id("agent-assignment")).getText().equals("edge")
                    && browser.findElement(By.id("config-status")).getText().contains("APPLIED"));

    browser.get(url("/#/assignments"));
    WebElement change =
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () -> browser.findElements(By.cssSelector("form[data-assignment='edge']")),
                found -> !found.isEmpty())
            .get(0);
    WebElement version = change.findElement(By.name("version"));
    version.clear();
    version.sendKeys("2");
    change.findElement(By.cssSelector("button[type=submit]")).click();
    await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .until(
            () ->
                browser.findElement(By.id("assignments")).getText().contains("collector v2")
                    && !browser
                        .findElements(By.cssSelector("#assignments a[href^='#/rollouts/']"))
                        .isEmpty());
  }

  /**
   * A configuration with two versions, a viewer account and a completed rollout, through the API as
   * admin.
   */
  private void prepareConfigurationAndRollout() throws Exception {
    Map<String, String> admin = signedIn("admin", PASSWORD);
    assertEquals(
        201,
        send(
                "POST",
                "/api/operators",
                "{\"username\": \"viewer\", \"password\": \"a viewer's long password\", \"role\": \"VIEWER\"}",
                admin)
            .statusCode());
    String name = "collector";
    assertEquals(
        201,
        send(
                "POST",
                "/api/configurations",
                "{\"name\": \"" + name + "\", \"description\": \"the edge collectors\"}",
                admin)
            .statusCode());
    for (String body :
        new String[] {
          "receivers: {otlp: {}}\\nexporters: {debug: {}}",
          "receivers: {otlp: {}}\\nexporters: {otlphttp: {}}"
        }) {
      HttpResponse<String> version =
          send(
              "POST",
              "/api/configurations/" + name + "/versions",
              "{\"config_map\": {\"collector.yaml\": {\"content_type\": \"text/yaml\", \"body\": \""
                  + body
                  + "\"}}}",
              admin);
      int number = json.readTree(version.body()).path("version").asInt();
      assertEquals(
          200,
          send(
                  "POST",
                  "/api/configurations/" + name + "/versions/" + number + "/publish",
                  "",
                  admin)
              .statusCode());
    }
    HttpResponse<String> rollout =
        send(
            "POST",
            "/api/rollouts",
            "{\"configuration\": \""
                + name
                + "\", \"version\": 2, \"selector\": {\"attributes\": {\"service.name\": \""
                + service
                + "\"}},"
                + " \"strategy\": {\"type\": \"canary\", \"canary\": 1}}",
            admin);
    assertEquals(201, rollout.statusCode(), rollout.body());
  }

  private void signIn(String username, String password) {
    WebElement form =
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> browser.findElements(By.id("login")), found -> !found.isEmpty())
            .get(0);
    form.findElement(By.name("username")).sendKeys(username);
    form.findElement(By.name("password")).sendKeys(password);
    form.findElement(By.cssSelector("button[type=submit]")).click();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> browser.findElement(By.id("whoami")).getText().startsWith(username));
  }

  private String stat(String label) {
    return browser.findElement(By.cssSelector("[data-stat='" + label + "'] .value")).getText();
  }

  private Map<String, String> signedIn(String username, String password) throws Exception {
    HttpResponse<String> login =
        send(
            "POST",
            "/api/session",
            "{\"username\": \"" + username + "\", \"password\": \"" + password + "\"}",
            Map.of());
    assertEquals(200, login.statusCode(), login.body());
    return Map.of(
        "Cookie",
        login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0],
        "X-CSRF-Token",
        json.readTree(login.body()).path("csrf_token").asText());
  }

  private HttpResponse<String> send(
      String method, String path, String body, Map<String, String> headers) {
    return HttpProbe.send(node.apiPort(), method, path, body, headers);
  }

  private String url(String path) {
    return "http://127.0.0.1:" + node.apiPort() + path;
  }

  private void screenshot(String page) throws Exception {
    Files.write(
        SCREENSHOTS.resolve(page + ".png"),
        ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
  }
}
