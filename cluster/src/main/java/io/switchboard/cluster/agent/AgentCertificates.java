package io.switchboard.cluster.agent;

import io.switchboard.opamp.proto.TLSCertificate;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The server's certificate authority for agents, as their entities use it: signing an agent's
 * certificate signing request (CSR) into a client certificate naming its instance_uid, recorded
 * before it is offered, and the agent's current certificate (newest, neither revoked nor expired).
 */
public interface AgentCertificates {

  /** Whether a CA is configured; without one, certificate requests are refused. */
  boolean enabled();

  /** Largest CSR taken, in bytes of PEM. */
  int maxRequestBytes();

  /** One agent's requests are taken at most this often. */
  Duration requestInterval();

  /**
   * Signs the agent's CSR (PEM PKCS#10) and records the certificate. Fails with an {@link
   * IllegalArgumentException} naming what is wrong with a CSR that cannot be signed.
   */
  CompletionStage<TLSCertificate> issue(String instanceUid, byte[] csrPem);

  /** The agent's current certificate, with the CA's, if it has one. */
  CompletionStage<Optional<TLSCertificate>> current(String instanceUid);

  /** No CA configured. */
  AgentCertificates NONE =
      new AgentCertificates() {
        @Override
        public boolean enabled() {
          return false;
        }

        @Override
        public int maxRequestBytes() {
          return 0;
        }

        @Override
        public Duration requestInterval() {
          return Duration.ZERO;
        }

        @Override
        public CompletionStage<TLSCertificate> issue(String instanceUid, byte[] csrPem) {
          return CompletableFuture.failedFuture(
              new IllegalStateException("no certificate authority is configured"));
        }

        @Override
        public CompletionStage<Optional<TLSCertificate>> current(String instanceUid) {
          return CompletableFuture.completedFuture(Optional.empty());
        }
      };
}
