package io.switchboard.opamp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Secret values of connection settings (header values operators mark secret, private keys), sealed
 * with AES-GCM under the cluster's secrets key before they are stored, and opened only when an
 * offer is built for an agent. A sealed value reads {@code sealed:v1:<base64 of nonce and
 * ciphertext>}; whatever shows connection settings back shows {@link #SHOWN} instead.
 */
public final class ConnectionSecrets {

  /** What the API shows instead of a secret value. */
  public static final String SHOWN = "<secret>";

  private static final String PREFIX = "sealed:v1:";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKey key;

  private ConnectionSecrets(SecretKey key) {
    this.key = key;
  }

  /** No key configured: secret values cannot be sealed, and so are refused. */
  public static ConnectionSecrets none() {
    return new ConnectionSecrets(null);
  }

  /**
   * The configured key ({@code switchboard.secrets}): {@code key} (base64), else the contents of
   * {@code keyFile}, else none.
   */
  public static ConnectionSecrets configured(String key, String keyFile) {
    String base64 = key.strip();
    if (base64.isEmpty() && !keyFile.isBlank()) {
      try {
        base64 = Files.readString(Path.of(keyFile.strip())).strip();
      } catch (IOException e) {
        throw new UncheckedIOException("switchboard.secrets: cannot read " + keyFile, e);
      }
    }
    if (base64.isEmpty()) {
      return none();
    }
    try {
      return of(Base64.getDecoder().decode(base64));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("switchboard.secrets: " + e.getMessage(), e);
    }
  }

  /** A key of 16, 24 or 32 bytes (AES-128, -192 or -256). */
  public static ConnectionSecrets of(byte[] key) {
    if (key.length != 16 && key.length != 24 && key.length != 32) {
      throw new IllegalArgumentException(
          "the secrets key must be 16, 24 or 32 bytes (base64), not " + key.length);
    }
    return new ConnectionSecrets(new SecretKeySpec(key, "AES"));
  }

  /** Whether a key is configured. */
  public boolean canSeal() {
    return key != null;
  }

  public static boolean isSealed(String value) {
    return value.startsWith(PREFIX);
  }

  /** {@link #SHOWN} for a sealed value, else the value itself. */
  public static String shown(String value) {
    return isSealed(value) ? SHOWN : value;
  }

  public String seal(String plain) {
    if (key == null) {
      throw new IllegalStateException("no secrets key is configured");
    }
    try {
      byte[] nonce = new byte[NONCE_BYTES];
      RANDOM.nextBytes(nonce);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      byte[] sealed = cipher.doFinal(plain.getBytes(StandardCharsets.UTF_8));
      return PREFIX
          + Base64.getEncoder()
              .encodeToString(
                  ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is in every JVM", e);
    }
  }

  /**
   * The plain value of a sealed one (a value that is not sealed is returned as it is).
   *
   * @throws IllegalArgumentException when it cannot be opened (no key, another key, tampered)
   */
  public String open(String value) {
    if (!isSealed(value)) {
      return value;
    }
    if (key == null) {
      throw new IllegalArgumentException("no secrets key is configured to open a sealed value");
    }
    try {
      byte[] bytes = Base64.getDecoder().decode(value.substring(PREFIX.length()));
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, bytes, 0, NONCE_BYTES));
      return new String(
          cipher.doFinal(bytes, NONCE_BYTES, bytes.length - NONCE_BYTES), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException("a sealed value cannot be opened with this key", e);
    }
  }
}
