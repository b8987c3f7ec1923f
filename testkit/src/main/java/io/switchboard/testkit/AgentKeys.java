package io.switchboard.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * Key material for the certificate signing request flow: an agent's key pair and its PKCS#10
 * request, a TLS context presenting the certificate the server issued for it, and a CA (certificate
 * and private key PEM files) for a server to sign agents' requests with.
 */
public final class AgentKeys {

  private AgentKeys() {}

  /** A new EC P-256 key pair. */
  public static KeyPair newKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every JVM makes EC P-256 keys", e);
    }
  }

  /** A PEM PKCS#10 request for {@code key}, signed with it, asking for {@code CN=<commonName>}. */
  public static byte[] certificateRequest(KeyPair key, String commonName) {
    try {
      return pem(new JcaPKCS10CertificationRequestBuilder(
                  new X500Name("CN=" + commonName), key.getPublic())
              .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())))
          .getBytes(StandardCharsets.UTF_8);
    } catch (OperatorCreationException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Trusts the server's certificate in {@code serverKeystore} (PKCS12, {@link
   * TestCertificates#PASSWORD}) and presents {@code certificatePem} with {@code key}.
   */
  public static SSLContext clientContext(Path serverKeystore, KeyPair key, String certificatePem)
      throws GeneralSecurityException, IOException {
    KeyStore server = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(serverKeystore)) {
      server.load(in, TestCertificates.PASSWORD.toCharArray());
    }
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(server);
    Certificate[] chain =
        CertificateFactory.getInstance("X.509")
            .generateCertificates(
                new java.io.ByteArrayInputStream(certificatePem.getBytes(StandardCharsets.UTF_8)))
            .toArray(Certificate[]::new);
    KeyStore mine = KeyStore.getInstance("PKCS12");
    mine.load(null, null);
    mine.setKeyEntry("agent", key.getPrivate(), TestCertificates.PASSWORD.toCharArray(), chain);
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(mine, TestCertificates.PASSWORD.toCharArray());
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
    return context;
  }

  /** A CA's certificate and PKCS#8 private key, as PEM files in {@code dir}. */
  public record Ca(Path certificatePem, Path privateKeyPem) {}

  /** Makes a self-signed CA (EC P-256, a day long) into {@code dir}. */
  public static Ca newCa(Path dir, String name) {
    try {
      KeyPair key = newKeyPair();
      X500Name subject = new X500Name("CN=" + name);
      Instant now = Instant.now();
      X509Certificate certificate =
          new JcaX509CertificateConverter()
              .getCertificate(
                  new JcaX509v3CertificateBuilder(
                          subject,
                          BigInteger.valueOf(now.toEpochMilli()),
                          Date.from(now.minus(Duration.ofMinutes(5))),
                          Date.from(now.plus(Duration.ofDays(1))),
                          subject,
                          key.getPublic())
                      .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                      .addExtension(
                          Extension.keyUsage,
                          true,
                          new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                      .build(
                          new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
      Ca ca = new Ca(dir.resolve(name + "-ca.pem"), dir.resolve(name + "-ca-key.pem"));
      Files.writeString(ca.certificatePem(), pem(certificate));
      Files.writeString(
          ca.privateKeyPem(),
          pem(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key.getPrivate(), null)));
      return ca;
    } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
      throw new IllegalStateException("cannot make a CA", e);
    }
  }

  private static String pem(Object object) {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      writer.writeObject(object);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return text.toString();
  }
}
