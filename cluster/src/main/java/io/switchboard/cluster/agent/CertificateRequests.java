package io.switchboard.cluster.agent;

import io.switchboard.observability.SwitchboardMetrics;
import io.switchboard.opamp.proto.AgentToServer;
import io.switchboard.opamp.proto.ConnectionSettingsOffers;
import io.switchboard.opamp.proto.ServerErrorResponse;
import io.switchboard.opamp.proto.ServerErrorResponseType;
import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.opamp.proto.TLSCertificate;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * An agent's certificate signing requests, for its entity: a request is bounded (size, and one per
 * {@link AgentCertificates#requestInterval()}), refused with a {@code BadRequest} naming why, or
 * signed by the server's CA; the certificate then joins the agent's OpAMP connection settings,
 * offered down its WebSocket at once or with the answer to its next poll. The entity also loads the
 * agent's current certificate when it starts and again when an operator revokes one, so that every
 * offer carries the certificate the agent should use (an offer without one tells it to use none).
 */
final class CertificateRequests {

  /** The agent's current certificate (empty: none), read or just issued. */
  record Loaded(Optional<TLSCertificate> certificate, Throwable failure, boolean issued)
      implements AgentProtocol.Command {}

  private final String instanceUid;
  private final EnvelopeIntake.Entity entity;
  private final AgentOutbox outbox;
  private final AgentOutbox.Tracking tracking;
  private final AgentCertificates certificates;
  private final ActorContext<AgentProtocol.Command> context;
  private Instant lastRequest = Instant.EPOCH;

  CertificateRequests(
      String instanceUid,
      EnvelopeIntake.Entity entity,
      AgentOutbox outbox,
      AgentOutbox.Tracking tracking,
      AgentCertificates certificates,
      ActorContext<AgentProtocol.Command> context) {
    this.instanceUid = instanceUid;
    this.entity = entity;
    this.outbox = outbox;
    this.tracking = tracking;
    this.certificates = certificates;
    this.context = context;
    load();
  }

  /** Reads the agent's current certificate (at start, and after a revocation). */
  void load() {
    if (certificates.enabled()) {
      context.pipeToSelf(
          certificates.current(instanceUid),
          (current, failure) -> new Loaded(current, failure, false));
    }
  }

  /**
   * The reply to a message, with a {@code BadRequest} when the message carried a certificate
   * request that is refused; a request that is taken is signed meanwhile.
   */
  ServerToAgent answer(AgentToServer message, ServerToAgent reply, Instant now) {
    if (!message.hasConnectionSettingsRequest()
        || !message.getConnectionSettingsRequest().hasOpamp()
        || !message.getConnectionSettingsRequest().getOpamp().hasCertificateRequest()) {
      return reply;
    }
    byte[] csr =
        message
            .getConnectionSettingsRequest()
            .getOpamp()
            .getCertificateRequest()
            .getCsr()
            .toByteArray();
    String refusal = refusal(csr.length, now);
    if (refusal != null) {
      return reply.hasErrorResponse()
          ? reply
          : reply.toBuilder()
              .setErrorResponse(
                  ServerErrorResponse.newBuilder()
                      .setType(ServerErrorResponseType.ServerErrorResponseType_BadRequest)
                      .setErrorMessage(refusal))
              .build();
    }
    lastRequest = now;
    context.pipeToSelf(
        certificates.issue(instanceUid, csr),
        (issued, failure) -> new Loaded(Optional.ofNullable(issued), failure, true));
    return reply;
  }

  private String refusal(int bytes, Instant now) {
    if (!certificates.enabled()) {
      SwitchboardMetrics.certificateRequests("refused-no-ca").increment();
      return "this server has no certificate authority configured";
    }
    if (bytes > certificates.maxRequestBytes()) {
      SwitchboardMetrics.certificateRequests("refused-size").increment();
      return "the certificate request is "
          + bytes
          + " bytes; the limit is "
          + certificates.maxRequestBytes()
          + " (switchboard.opamp.certificates.max-request-size)";
    }
    if (now.isBefore(lastRequest.plus(certificates.requestInterval()))) {
      SwitchboardMetrics.certificateRequests("refused-rate").increment();
      return "one certificate request per "
          + certificates.requestInterval()
          + " (switchboard.opamp.certificates.request-interval); try again later";
    }
    return null;
  }

  /** An operator revoked one of the agent's certificates: its current one is read again. */
  Behavior<AgentProtocol.Command> revoked(AgentProtocol.CertificateRevoked revoked) {
    load();
    return Behaviors.same();
  }

  /** A certificate was read or issued: it goes into the offer, down a WebSocket at once. */
  Behavior<AgentProtocol.Command> loaded(Loaded loaded) {
    if (loaded.failure() != null) {
      Throwable cause =
          loaded.failure() instanceof CompletionException wrapped && wrapped.getCause() != null
              ? wrapped.getCause()
              : loaded.failure();
      SwitchboardMetrics.certificateRequests(
              cause instanceof IllegalArgumentException ? "refused-invalid" : "failed")
          .increment();
      context.getLog().warn("No certificate for agent {}: {}", instanceUid, cause.getMessage());
      SessionOwner owner = entity.owner().get();
      if (owner != null && owner.isWebSocket() && cause instanceof IllegalArgumentException) {
        entity
            .push()
            .accept(
                ServerToAgent.newBuilder()
                    .setErrorResponse(
                        ServerErrorResponse.newBuilder()
                            .setType(ServerErrorResponseType.ServerErrorResponseType_BadRequest)
                            .setErrorMessage(
                                "certificate request refused: " + cause.getMessage())));
      }
      return Behaviors.same();
    }
    outbox.offerCertificate(loaded.certificate().orElse(null));
    if (loaded.issued()) {
      SwitchboardMetrics.certificateRequests("issued").increment();
    }
    SessionOwner owner = entity.owner().get();
    if (owner != null && owner.isWebSocket()) {
      ConnectionSettingsOffers offer = outbox.connectionSettings(entity.state());
      if (outbox.connectionSettingsDue(offer)) {
        entity
            .push()
            .accept(
                ServerToAgent.newBuilder()
                    .setConnectionSettings(
                        outbox.takeConnectionSettings(entity.state(), tracking)));
      }
    }
    return Behaviors.same();
  }
}
