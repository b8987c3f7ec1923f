package io.switchboard.node;

import io.switchboard.gateway.certificates.AgentCertificateAuthority;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorSystem;

/** Keeps a node's view of revoked agent certificates current. */
final class CertificateRevocations {

  private CertificateRevocations() {}

  /**
   * Reads the revoked certificates now and every revocation-refresh, so that a revocation made on
   * any node is refused at this node's handshakes within that long.
   */
  static void refresh(ActorSystem<?> system, AgentCertificateAuthority ca) {
    Duration every = ca.settings().revocationRefresh();
    system
        .scheduler()
        .scheduleAtFixedRate(
            Duration.ZERO,
            every,
            () ->
                ca.refreshRevocations()
                    .whenComplete(
                        (done, failure) -> {
                          if (failure != null) {
                            system
                                .log()
                                .warn(
                                    "Could not read revoked certificates: {}", failure.toString());
                          }
                        }),
            system.executionContext());
  }
}
