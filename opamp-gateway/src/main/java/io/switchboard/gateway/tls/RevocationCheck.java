package io.switchboard.gateway.tls;

import io.switchboard.gateway.certificates.AgentCertificateAuthority;
import io.switchboard.observability.SwitchboardMetrics;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Agents' certificates as the JDK checks them, and then refused at the handshake if they are
 * certificates of the server's own CA that an operator revoked.
 */
final class RevocationCheck extends X509ExtendedTrustManager {

  private final X509ExtendedTrustManager delegate;
  private final AgentCertificateAuthority ca;

  private RevocationCheck(X509ExtendedTrustManager delegate, AgentCertificateAuthority ca) {
    this.delegate = delegate;
    this.ca = ca;
  }

  /** These trust managers, each X.509 one checking revocations too when there is a CA. */
  static TrustManager[] wrap(TrustManager[] managers, Optional<AgentCertificateAuthority> ca) {
    if (ca.isEmpty()) {
      return managers;
    }
    TrustManager[] wrapped = managers.clone();
    for (int i = 0; i < wrapped.length; i++) {
      if (wrapped[i] instanceof X509ExtendedTrustManager x509) {
        wrapped[i] = new RevocationCheck(x509, ca.get());
      }
    }
    return wrapped;
  }

  private void refuseRevoked(X509Certificate[] chain) throws CertificateException {
    if (chain.length > 0 && ca.isRevoked(chain[0])) {
      SwitchboardMetrics.revokedCertificatesRefused().increment();
      throw new CertificateException(
          "certificate " + AgentCertificateAuthority.serial(chain[0]) + " was revoked");
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    delegate.checkClientTrusted(chain, authType);
    refuseRevoked(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    delegate.checkClientTrusted(chain, authType, socket);
    refuseRevoked(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    delegate.checkClientTrusted(chain, authType, engine);
    refuseRevoked(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    delegate.checkServerTrusted(chain, authType);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    delegate.checkServerTrusted(chain, authType, socket);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    delegate.checkServerTrusted(chain, authType, engine);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return delegate.getAcceptedIssuers();
  }
}
