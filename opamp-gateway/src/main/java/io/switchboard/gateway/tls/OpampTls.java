package io.switchboard.gateway.tls;

import com.typesafe.config.Config;
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

  /** The HTTPS context to bind with, or empty when TLS is off (no keystore and no PEM configured). */
  public static Optional<HttpsConnectionContext> fromConfig(Config tls) {
    boolean keystore = !tls.getString("keystore").isEmpty();
    boolean pem = !tls.getString("certificate-pem").isEmpty();
    if (!keystore && !pem) {
      return Optional.empty();
    }
    if (keystore && pem) {
      throw new IllegalArgumentException("switchboard.opamp.tls: set either keystore or certificate-pem, not both");
    }
    try {
      char[] password = tls.getString("keystore-password").toCharArray();
      KeyStore keys =
          keystore
              ? load(Path.of(tls.getString("keystore")), password)
              : fromPem(Path.of(tls.getString("certificate-pem")), Path.of(tls.getString("private-key-pem")), password);
      KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keyManagers.init(keys, password);

      ClientAuth clientAuth = ClientAuth.valueOf(tls.getString("client-auth").toUpperCase(Locale.ROOT));
      TrustManagerFactory trustManagers = null;
      if (clientAuth != ClientAuth.NONE) {
        trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(caCertificates(Path.of(tls.getString("client-ca-pem"))));
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keyManagers.getKeyManagers(), trustManagers == null ? null : trustManagers.getTrustManagers(), null);
      return Optional.of(
          ConnectionContext.httpsServer(
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
              }));
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("switchboard.opamp.tls: cannot load the key material: " + e.getMessage(), e);
    }
  }

  private static KeyStore load(Path path, char[] password) throws IOException, GeneralSecurityException {
    KeyStore keyStore = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(path)) {
      keyStore.load(in, password);
    }
    return keyStore;
  }

  /** A key store holding the PEM certificate chain and its PKCS#8 private key (RSA or EC). */
  private static KeyStore fromPem(Path certificatePem, Path privateKeyPem, char[] password)
      throws IOException, GeneralSecurityException {
    Certificate[] chain =
        CertificateFactory.getInstance("X.509")
            .generateCertificates(Files.newInputStream(certificatePem))
            .toArray(Certificate[]::new);
    byte[] pkcs8 = pemBody(Files.readString(privateKeyPem), "PRIVATE KEY");
    PrivateKey key = privateKey(pkcs8, chain[0].getPublicKey().getAlgorithm());
    KeyStore keyStore = KeyStore.getInstance("PKCS12");
    keyStore.load(null, null);
    keyStore.setKeyEntry("opamp", key, password, chain);
    return keyStore;
  }

  private static PrivateKey privateKey(byte[] pkcs8, String algorithm) throws GeneralSecurityException {
    return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
  }

  private static KeyStore caCertificates(Path pem) throws IOException, GeneralSecurityException {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    int i = 0;
    for (Certificate certificate :
        CertificateFactory.getInstance("X.509").generateCertificates(Files.newInputStream(pem))) {
      trust.setCertificateEntry("client-ca-" + i++, certificate);
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
