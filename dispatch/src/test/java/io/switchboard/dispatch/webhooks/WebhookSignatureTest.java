package io.switchboard.dispatch.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class WebhookSignatureTest {

  @Test
  void aSignatureIsTheHmacOfTheTimestampAndTheBody() {
    // HMAC-SHA256("key", "1700000000.{}"), computed independently with openssl.
    assertEquals(
        "t=1700000000,v1=" + OPENSSL_HMAC, WebhookSignature.sign("key", 1_700_000_000L, "{}"));
  }

  @Test
  void onlyTheSameSecretTimestampAndBodyVerify() {
    String header = WebhookSignature.sign("secret", 1_700_000_000L, "{\"a\":1}");
    assertTrue(WebhookSignature.verify("secret", header, "{\"a\":1}"));
    assertFalse(WebhookSignature.verify("other", header, "{\"a\":1}"));
    assertFalse(WebhookSignature.verify("secret", header, "{\"a\":2}"));
    assertFalse(
        WebhookSignature.verify(
            "secret", header.replace("t=1700000000", "t=1700000001"), "{\"a\":1}"));
    assertFalse(WebhookSignature.verify("secret", "v1=zz", "{\"a\":1}"));
  }

  @Test
  void newSecretsAreLongAndDiffer() {
    assertEquals(64, WebhookSignature.newSecret().length());
    assertNotEquals(WebhookSignature.newSecret(), WebhookSignature.newSecret());
  }

  @Test
  void theBackoffDoublesUpToItsMaximum() {
    WebhookSettings settings =
        new WebhookSettings(
            false,
            Duration.ofSeconds(1),
            Duration.ofSeconds(10),
            4,
            200,
            8,
            Duration.ofSeconds(10),
            Duration.ofSeconds(60),
            Duration.ofSeconds(15),
            Duration.ofDays(1),
            1000,
            Duration.ofDays(7));
    assertEquals(Duration.ofSeconds(10), settings.backoff(1));
    assertEquals(Duration.ofSeconds(20), settings.backoff(2));
    assertEquals(Duration.ofSeconds(40), settings.backoff(3));
    assertEquals(Duration.ofSeconds(60), settings.backoff(4));
    assertEquals(Duration.ofSeconds(60), settings.backoff(40));
  }

  private static final String OPENSSL_HMAC =
      "9d713ed406bb7076d4123f0dc2c39d2df5c654ed4b0cd56b52c8b4c940bd63ae";
}
