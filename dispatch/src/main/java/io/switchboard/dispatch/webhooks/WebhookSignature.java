package io.switchboard.dispatch.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code X-Switchboard-Signature} header: {@code t=<unix seconds>,v1=<hex HMAC-SHA256(secret,
 * "<t>.<body>")>}. The timestamp is signed with the body, so a receiver that refuses old timestamps
 * refuses replays.
 */
public final class WebhookSignature {

  public static final String HEADER = "X-Switchboard-Signature";

  private static final SecureRandom RANDOM = new SecureRandom();

  private WebhookSignature() {}

  /** The header's value for {@code body} sent at {@code unixSeconds}. */
  public static String sign(String secret, long unixSeconds, String body) {
    return "t=" + unixSeconds + ",v1=" + HexFormat.of().formatHex(mac(secret, unixSeconds, body));
  }

  /** Whether {@code header} is a valid signature of {@code body} with {@code secret}. */
  public static boolean verify(String secret, String header, String body) {
    long timestamp = -1;
    String given = null;
    for (String part : header.split(",")) {
      if (part.startsWith("t=")) {
        try {
          timestamp = Long.parseLong(part.substring(2));
        } catch (NumberFormatException e) {
          return false;
        }
      } else if (part.startsWith("v1=")) {
        given = part.substring(3);
      }
    }
    if (timestamp < 0 || given == null) {
      return false;
    }
    byte[] expected = mac(secret, timestamp, body);
    try {
      return MessageDigest.isEqual(expected, HexFormat.of().parseHex(given));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** A new secret: 32 random bytes as hex. */
  public static String newSecret() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  private static byte[] mac(String secret, long unixSeconds, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return mac.doFinal((unixSeconds + "." + body).getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every JVM has HmacSHA256", e);
    }
  }
}
