package io.switchboard.api.auth.oidc;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.api.TestApi;
import io.switchboard.testkit.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * The dashboard's sign-in page in headless Chromium offers single sign-on; following it through a
 * real OpenID provider signs the operator in with the role their groups map to. It lives beside the
 * API (not in integration-tests) because the provider's HTTP client (OkHttp 4) must not meet the
 * OpAMP client's OkHttp 5 on one classpath.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SingleSignOnBrowserTest {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  private OpenIdProvider provider;
  private TestApi api;
  private WebDriver browser;

  @BeforeAll
  void start() throws Exception {
    provider = new OpenIdProvider();
    Map<String, Object> settings = new HashMap<>(provider.settings(FreePorts.next()));
    settings.put("switchboard.api.auth.admin-password", "correct horse battery");
    api = TestApi.start(settings);
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
        "--window-size=1200,900",
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
    api.close();
    provider.close();
  }

  @Test
  void anOperatorSignsInWithSingleSignOnFromTheSignInPage() {
    provider.nextSignIn("bob", List.of("sre"));
    browser.get("http://127.0.0.1:" + api.port() + "/");
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> browser.findElement(By.id("sso")).isDisplayed());
    assertTrue(browser.findElement(By.id("login")).isDisplayed(), "local sign-in is offered too");

    browser.findElement(By.id("sso-link")).click();
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertEquals(
                    "bob (operator) sign out",
                    browser.findElement(By.id("whoami")).getText().trim()));
    assertEquals("http://127.0.0.1:" + api.port() + "/", browser.getCurrentUrl());
    assertEquals(
        "1",
        api.db().queryForString("SELECT count(*) FROM operator_sessions WHERE username = 'bob'"));
  }
}
