package io.switchboard.gateway.tls;

import com.typesafe.config.Config;
import io.switchboard.gateway.certificates.AgentCertificateAuthority;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.HttpsConnectionContext;

/**
 * TLS for the OpAMP port (wss and https), from {@code switchboard.opamp.tls}: the server's key and
 * certificate chain from a PKCS12 keystore or from PEM files, and optionally the CA certificates
 * agents' client certificates must chain to.
 */
public final class OpampTls {

  /** Whether agents must present a certificate. */
  public enum ClientAuth {
    NONE,
    WANT,
    NEED
  }

  private OpampTls() {}

  /**
   * {@code switchboard.opamp.tls}: the server's key material from a PKCS12 keystore or from PEM
   * files, and whether and against which CAs agents' certificates are checked.
   */
  public record Settings(
      Optional<Path> keystore,
      Optional<Path> certificatePem,
      Optional<Path> privateKeyPem,
      char[] password,
      ClientAuth clientAuth,
      Optional<Path> clientCaPem) {

    /** Empty when TLS is off (neither a keystore nor a PEM certificate configured). */
    public static Optional<Settings> fromConfig(Config tls) {
      Optional<Path> keystore = path(tls, "keystore");
      Optional<Path> pem = path(tls, "certificate-pem");
      if (keystore.isEmpty() && pem.isEmpty()) {
        return Optional.empty();
      }
      if (keystore.isPresent() && pem.isPresent()) {
        throw new IllegalArgumentException(
            "switchboard.opamp.tls: set either keystore or certificate-pem, not both");
      }
      ClientAuth clientAuth =
          ClientAuth.valueOf(tls.getString("client-auth").toUpperCase(Locale.ROOT));
      Optional<Path> clientCa = path(tls, "client-ca-pem");
      if (clientAuth != ClientAuth.NONE && clientCa.isEmpty()) {
        throw new IllegalArgumentException(
            "switchboard.opamp.tls: client-auth "
                + tls.getString("client-auth")
                + " needs client-ca-pem");
      }
      return Optional.of(
          new Settings(
              keystore,
              pem,
              path(tls, "private-key-pem"),
              tls.getString("keystore-password").toCharArray(),
              clientAuth,
              clientCa));
    }

    private static Optional<Path> path(Config tls, String key) {
      String value = tls.getString(key);
      return value.isEmpty() ? Optional.empty() : Optional.of(Path.of(value));
    }
  }

  /** The HTTPS context to bind with. */
  public static HttpsConnectionContext context(Settings settings) {
    return context(settings, Optional.empty());
  }

  /**
   * The HTTPS context to bind with; with the server's own CA for agents, agents' certificates may
   * also chain to it, and those of its certificates operators revoked are refused at the handshake.
   */
  public static HttpsConnectionContext context(
      Settings settings, Optional<AgentCertificateAuthority> ca) {
    try {
      char[] password = settings.password();
      KeyStore keys =
          settings.keystore().isPresent()
              ? load(settings.keystore().get(), password)
              : fromPem(
                  settings.certificatePem().orElseThrow(),
                  settings
                      .privateKeyPem()
                      .orElseThrow(
                          () ->
                              new IllegalArgumentException(
                                  "switchboard.opamp.tls: certificate-pem needs private-key-pem")),
                  password);
      KeyManagerFactory keyManagers =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keyManagers.init(keys, password);

      ClientAuth clientAuth = settings.clientAuth();
      TrustManagerFactory trustManagers = null;
      if (clientAuth != ClientAuth.NONE) {
        trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        KeyStore trusted = caCertificates(settings.clientCaPem().orElseThrow());
        if (ca.isPresent()) {
          trusted.setCertificateEntry("agents-ca", ca.get().caCertificate());
        }
        trustManagers.init(trusted);
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(
          keyManagers.getKeyManagers(),
          trustManagers == null ? null : RevocationCheck.wrap(trustManagers.getTrustManagers(), ca),
          null);
      return ConnectionContext.httpsServer(
          () -> {
            SSLEngine engine = context.createSSLEngine();
            engine.setUseClientMode(false);
            // Each of these setters overrides the other, so only the one that applies is called.
            if (clientAuth == ClientAuth.NEED) {
              engine.setNeedClientAuth(true);
            } else if (clientAuth == ClientAuth.WANT) {
              engine.setWantClientAuth(true);
            }
            return engine;
          });
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "switchboard.opamp.tls: cannot load the key material: " + e.getMessage(), e);
    }
  }

  private static KeyStore load(Path path, char[] password)
      throws IOException, GeneralSecurityException {
    KeyStore keyStore = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(path)) {
      keyStore.load(in, password);
    }
    return keyStore;
  }

  /** A key store holding the PEM certificate chain and its PKCS#8 private key (RSA or EC). */
  private static KeyStore fromPem(Path certificatePem, Path privateKeyPem, char[] password)
      throws IOException, GeneralSecurityException {
    Certificate[] chain;
    try (InputStream in = Files.newInputStream(certificatePem)) {
      chain =
          CertificateFactory.getInstance("X.509")
              .generateCertificates(in)
              .toArray(Certificate[]::new);
    }
    byte[] pkcs8 = pemBody(Files.readString(privateKeyPem), "PRIVATE KEY");
    PrivateKey key = privateKey(pkcs8, chain[0].getPublicKey().getAlgorithm());
    KeyStore keyStore = KeyStore.getInstance("PKCS12");
    keyStore.load(null, null);
    keyStore.setKeyEntry("opamp", key, password, chain);
    return keyStore;
  }

  private static PrivateKey privateKey(byte[] pkcs8, String algorithm)
      throws GeneralSecurityException {
    return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
  }

  private static KeyStore caCertificates(Path pem) throws IOException, GeneralSecurityException {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    int i = 0;
    try (InputStream in = Files.newInputStream(pem)) {
      for (Certificate certificate :
          CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        trust.setCertificateEntry("client-ca-" + i++, certificate);
      }
    }
    return trust;
  }

  private static byte[] pemBody(String pem, String label) {
    String begin = "-----BEGIN " + label + "-----";
    String end = "-----END " + label + "-----";
    int from = pem.indexOf(begin);
    int to = pem.indexOf(end);
    if (from < 0 || to < from) {
      throw new IllegalArgumentException("expected a PKCS#8 PEM block (" + begin + ")");
    }
    return Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to));
  }
}
