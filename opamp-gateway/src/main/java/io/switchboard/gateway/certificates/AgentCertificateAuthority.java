package io.switchboard.gateway.certificates;

import com.google.protobuf.ByteString;
import com.typesafe.config.Config;
import io.switchboard.cluster.agent.AgentCertificates;
import io.switchboard.opamp.proto.TLSCertificate;
import io.switchboard.persistence.certificates.CertificateStore;
import io.switchboard.persistence.certificates.IssuedCertificate;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * The server's certificate authority for agents ({@code switchboard.opamp.certificates}): signs
 * agents' certificate requests ({@link CsrSigner}), records each certificate before it is offered,
 * and knows which of its certificates operators revoked, so that the OpAMP port refuses them at the
 * TLS handshake ({@link #isRevoked}). The revoked serials are read from the database every {@code
 * revocation-refresh} (every node refuses a revoked certificate within that long), and at once on
 * the node where the operator revoked it.
 */
public final class AgentCertificateAuthority implements AgentCertificates {

  /**
   * {@code switchboard.opamp.certificates}: the CA's certificate and PKCS#8 (or PEM key pair)
   * private key files, how long an issued certificate lasts, how large a request and how often one
   * agent's requests are taken, and how often revocations are read.
   */
  public record Settings(
      Optional<Path> caCertificatePem,
      Optional<Path> caPrivateKeyPem,
      Duration lifetime,
      int maxRequestBytes,
      Duration requestInterval,
      Duration revocationRefresh) {

    /** The longest lifetime an issued certificate may be given. */
    static final Duration MAX_LIFETIME = Duration.ofDays(397);

    public static Settings fromConfig(Config certificates) {
      Duration lifetime = certificates.getDuration("lifetime");
      if (lifetime.isNegative() || lifetime.isZero() || lifetime.compareTo(MAX_LIFETIME) > 0) {
        throw new IllegalArgumentException(
            "switchboard.opamp.certificates.lifetime must be more than 0 and at most 397d");
      }
      return new Settings(
          path(certificates.getString("ca-certificate-pem")),
          path(certificates.getString("ca-private-key-pem")),
          lifetime,
          (int) certificates.getBytes("max-request-size").longValue(),
          certificates.getDuration("request-interval"),
          certificates.getDuration("revocation-refresh"));
    }

    /** Whether a CA is configured. */
    public boolean enabled() {
      return caCertificatePem.isPresent();
    }

    private static Optional<Path> path(String value) {
      return value.isBlank() ? Optional.empty() : Optional.of(Path.of(value));
    }
  }

  private final Settings settings;
  private final X509Certificate ca;
  private final String caPem;
  private final CsrSigner signer;
  private final CertificateStore store;
  private final Clock clock;
  private volatile Set<String> revoked = Set.of();

  private AgentCertificateAuthority(
      Settings settings, X509Certificate ca, PrivateKey key, CertificateStore store, Clock clock) {
    this.settings = settings;
    this.ca = ca;
    this.caPem = CsrSigner.pem(ca);
    this.signer = new CsrSigner(ca, key, settings.lifetime());
    this.store = store;
    this.clock = clock;
  }

  /** The CA of these settings, or empty when none is configured. */
  public static Optional<AgentCertificateAuthority> of(
      Settings settings, CertificateStore store, Clock clock) {
    if (!settings.enabled()) {
      return Optional.empty();
    }
    try {
      X509Certificate ca;
      try (InputStream in = Files.newInputStream(settings.caCertificatePem().get())) {
        ca = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
      }
      Path keyFile =
          settings
              .caPrivateKeyPem()
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "switchboard.opamp.certificates: ca-certificate-pem needs"
                              + " ca-private-key-pem"));
      return Optional.of(
          new AgentCertificateAuthority(settings, ca, privateKey(keyFile), store, clock));
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "switchboard.opamp.certificates: cannot load the CA: " + e.getMessage(), e);
    }
  }

  private static PrivateKey privateKey(Path file) throws IOException {
    try (Reader reader = Files.newBufferedReader(file);
        PEMParser parser = new PEMParser(reader)) {
      Object parsed = parser.readObject();
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      if (parsed instanceof PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
      if (parsed instanceof PEMKeyPair pair) {
        return converter.getKeyPair(pair).getPrivate();
      }
      throw new IOException(file + " holds no unencrypted private key");
    }
  }

  public Settings settings() {
    return settings;
  }

  /** The CA's certificate: agents' certificates chain to it. */
  public X509Certificate caCertificate() {
    return ca;
  }

  @Override
  public boolean enabled() {
    return true;
  }

  @Override
  public int maxRequestBytes() {
    return settings.maxRequestBytes();
  }

  @Override
  public Duration requestInterval() {
    return settings.requestInterval();
  }

  @Override
  public CompletionStage<TLSCertificate> issue(String instanceUid, byte[] csrPem) {
    CsrSigner.Signed signed;
    try {
      signed = signer.sign(instanceUid, csrPem, clock.instant());
    } catch (IllegalArgumentException refused) {
      return CompletableFuture.failedFuture(refused);
    }
    X509Certificate certificate = signed.certificate();
    return store
        .issued(
            new IssuedCertificate(
                serial(certificate),
                instanceUid,
                certificate.getSubjectX500Principal().getName(),
                signed.pem(),
                certificate.getNotBefore().toInstant(),
                certificate.getNotAfter().toInstant(),
                null,
                null))
        .thenApply(stored -> offered(signed.pem()));
  }

  @Override
  public CompletionStage<Optional<TLSCertificate>> current(String instanceUid) {
    return store.current(instanceUid).thenApply(pem -> Optional.ofNullable(pem).map(this::offered));
  }

  private TLSCertificate offered(String pem) {
    return TLSCertificate.newBuilder()
        .setCert(ByteString.copyFromUtf8(pem))
        .setCaCert(ByteString.copyFromUtf8(caPem))
        .build();
  }

  /** Whether this CA signed the certificate (its issuer, and its signature). */
  public boolean issued(X509Certificate certificate) {
    if (!certificate.getIssuerX500Principal().equals(ca.getSubjectX500Principal())) {
      return false;
    }
    try {
      certificate.verify(ca.getPublicKey());
      return true;
    } catch (GeneralSecurityException notOurs) {
      return false;
    }
  }

  /** Whether this is a certificate of this CA that an operator revoked. */
  public boolean isRevoked(X509Certificate certificate) {
    return revoked.contains(serial(certificate)) && issued(certificate);
  }

  /** Reads the revoked serials again; the returned stage completes once they are in force. */
  public CompletionStage<Void> refreshRevocations() {
    return store.revokedSerials().thenAccept(serials -> revoked = serials);
  }

  /** A certificate's serial number as it is stored: lower-case hex. */
  public static String serial(X509Certificate certificate) {
    return certificate.getSerialNumber().toString(16);
  }
}
