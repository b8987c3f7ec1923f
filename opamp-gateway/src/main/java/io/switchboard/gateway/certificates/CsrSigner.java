package io.switchboard.gateway.certificates;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * Signs an agent's PKCS#10 request with the CA's key. Only the request's public key is taken (its
 * signature must prove the agent holds the private key): the subject is the server's own choice,
 * {@code CN=<instance_uid>, O=Switchboard agents}, with {@code urn:uuid:<instance_uid>} as its
 * alternative name, for client authentication only, and at most {@code lifetime} long (never past
 * the CA's own expiry).
 */
final class CsrSigner {

  /** What a signed certificate is. */
  record Signed(X509Certificate certificate, String pem) {}

  private static final int MIN_RSA_BITS = 2048;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final X509Certificate ca;
  private final PrivateKey caKey;
  private final Duration lifetime;

  CsrSigner(X509Certificate ca, PrivateKey caKey, Duration lifetime) {
    this.ca = ca;
    this.caKey = caKey;
    this.lifetime = lifetime;
  }

  /**
   * The agent's certificate.
   *
   * @throws IllegalArgumentException when the request is not a PEM PKCS#10 request, its signature
   *     does not verify, or its key is too weak
   */
  Signed sign(String instanceUid, byte[] csrPem, Instant now) {
    JcaPKCS10CertificationRequest request = parse(csrPem);
    try {
      // The JDK's providers know key algorithms by name, not by the OIDs a request carries.
      PublicKey key = new JcaPEMKeyConverter().getPublicKey(request.getSubjectPublicKeyInfo());
      if (!request.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key))) {
        throw new IllegalArgumentException("the request's signature does not verify");
      }
      if (key instanceof RSAPublicKey rsa && rsa.getModulus().bitLength() < MIN_RSA_BITS) {
        throw new IllegalArgumentException("RSA keys must have at least " + MIN_RSA_BITS + " bits");
      }
      if (!key.getAlgorithm().equals("RSA") && !key.getAlgorithm().equals("EC")) {
        throw new IllegalArgumentException("only RSA and EC keys are signed");
      }
      X500Name subject =
          new X500NameBuilder(BCStyle.INSTANCE)
              .addRDN(BCStyle.O, "Switchboard agents")
              .addRDN(BCStyle.CN, instanceUid)
              .build();
      Instant notAfter = now.plus(lifetime);
      if (notAfter.isAfter(ca.getNotAfter().toInstant())) {
        notAfter = ca.getNotAfter().toInstant();
      }
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      JcaX509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              ca,
              new BigInteger(127, RANDOM).setBit(126),
              Date.from(now.minus(Duration.ofMinutes(5))),
              Date.from(notAfter),
              subject,
              key);
      builder
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(
              Extension.keyUsage,
              true,
              new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
          .addExtension(
              Extension.extendedKeyUsage,
              false,
              new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth))
          .addExtension(
              Extension.subjectAlternativeName,
              false,
              new GeneralNames(
                  new GeneralName(
                      GeneralName.uniformResourceIdentifier, "urn:uuid:" + instanceUid)))
          .addExtension(
              Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(key))
          .addExtension(
              Extension.authorityKeyIdentifier, false, extensions.createAuthorityKeyIdentifier(ca));
      X509Certificate certificate =
          new JcaX509CertificateConverter()
              .getCertificate(
                  builder.build(new JcaContentSignerBuilder(signatureAlgorithm()).build(caKey)));
      return new Signed(certificate, pem(certificate));
    } catch (OperatorCreationException | PKCSException | GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("the request cannot be signed: " + e.getMessage(), e);
    }
  }

  private static JcaPKCS10CertificationRequest parse(byte[] csrPem) {
    try (PEMParser parser =
        new PEMParser(new StringReader(new String(csrPem, StandardCharsets.UTF_8)))) {
      Object parsed = parser.readObject();
      if (parsed instanceof PKCS10CertificationRequest request) {
        return new JcaPKCS10CertificationRequest(request);
      }
      throw new IllegalArgumentException(
          "expected a PEM certificate request (-----BEGIN CERTIFICATE REQUEST-----)");
    } catch (IOException | RuntimeException e) {
      if (e instanceof IllegalArgumentException refused) {
        throw refused;
      }
      throw new IllegalArgumentException("the certificate request is not valid PEM PKCS#10");
    }
  }

  private String signatureAlgorithm() {
    return caKey.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
  }

  static String pem(Object object) {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      writer.writeObject(object);
    } catch (IOException e) {
      throw new IllegalStateException("writing to memory does not fail", e);
    }
    return text.toString();
  }
}
