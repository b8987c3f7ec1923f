package io.switchboard.cluster.agent;

import io.switchboard.cluster.agent.AgentProtocol.PollAnswer;
import io.switchboard.cluster.agent.AgentProtocol.Refuse;
import io.switchboard.observability.SwitchboardMetrics;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.opamp.proto.AgentIdentification;
import io.switchboard.opamp.proto.AgentToServer;
import io.switchboard.opamp.proto.AgentToServerFlags;
import io.switchboard.opamp.proto.RetryInfo;
import io.switchboard.opamp.proto.ServerErrorResponse;
import io.switchboard.opamp.proto.ServerErrorResponseType;
import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.opamp.proto.ServerToAgentFlags;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;

/**
 * What an agent's entity answers: the reply to each message (always the server's capabilities; full
 * state asked for when needed; a new instance_uid at most once per session; whatever the outbox has
 * that the agent can take), and the error responses that refuse something.
 */
final class AgentReplies {

  private final String instanceUid;
  private final AgentState state;
  private final AgentOutbox outbox;
  private final AgentOutbox.Tracking tracking;
  private final Logger log;

  /** Whether this session was given a new instance_uid already. */
  private boolean uidAssigned;

  AgentReplies(
      String instanceUid,
      AgentState state,
      AgentOutbox outbox,
      AgentOutbox.Tracking tracking,
      Logger log) {
    this.instanceUid = instanceUid;
    this.state = state;
    this.outbox = outbox;
    this.tracking = tracking;
    this.log = log;
  }

  /** A new session: it may ask for a new instance_uid once. */
  void newSession() {
    uidAssigned = false;
  }

  /**
   * The answer to one message: always the server capabilities, and only what the agent can take.
   */
  ServerToAgent reply(
      AgentToServer message, AgentState.Merged merged, SessionOwner owner, Instant now) {
    ServerToAgent.Builder reply =
        ServerToAgent.newBuilder()
            .setInstanceUid(message.getInstanceUid())
            .setCapabilities(AgentEntity.SERVER_CAPABILITIES);
    if (merged.needsFullState()) {
      log.debug(
          "Asking agent {} for its full state (sequence_num {})",
          instanceUid,
          message.getSequenceNum());
      reply.setFlags(ServerToAgentFlags.ServerToAgentFlags_ReportFullState_VALUE);
    }
    if (merged.needsComponents()) {
      log.debug("Asking agent {} for its available components", instanceUid);
      reply.setFlags(
          reply.getFlags() | ServerToAgentFlags.ServerToAgentFlags_ReportAvailableComponents_VALUE);
    }
    String refused = merged.refusedCustomMessage();
    if ((message.getFlags() & AgentToServerFlags.AgentToServerFlags_RequestInstanceUid_VALUE)
        != 0) {
      if (uidAssigned) {
        SwitchboardMetrics.framesRejected(owner.transport(), "instance-uid-requested-again")
            .increment();
        refused = "a new instance_uid was assigned in this session already; reconnect to ask again";
      } else {
        uidAssigned = true;
        reply.setAgentIdentification(
            AgentIdentification.newBuilder().setNewInstanceUid(InstanceUid.newUid()));
      }
    } else if (refused != null) {
      SwitchboardMetrics.framesRejected(owner.transport(), "undeclared-custom-capability")
          .increment();
    }
    if (refused != null) {
      reply.setErrorResponse(badRequest(refused));
    }
    outbox.addTo(reply, state, !owner.isWebSocket(), now, tracking);
    return reply.build();
  }

  /** An error response refusing something the agent asked or sent. */
  ServerToAgent error(String reason) {
    return ServerToAgent.newBuilder()
        .setCapabilities(AgentEntity.SERVER_CAPABILITIES)
        .setErrorResponse(badRequest(reason))
        .build();
  }

  /**
   * What a session refused admission is told: for another credential's identity, an error and a
   * close for the violation; for too many new agents, when to come back.
   */
  Refuse refuse(SessionAdmission.Admission admission, Duration retryAfter) {
    return admission == SessionAdmission.Admission.CONFLICT
        ? new Refuse(error(SessionAdmission.CONFLICT), true)
        : new Refuse(unavailable(SessionAdmission.TOO_MANY_NEW_AGENTS, retryAfter), false);
  }

  /** What a poll refused admission is answered: 403 for another credential, else 429. */
  PollAnswer refusePoll(SessionAdmission.Admission admission, Duration retryAfter) {
    return admission == SessionAdmission.Admission.CONFLICT
        ? new PollAnswer(403, error(SessionAdmission.CONFLICT))
        : new PollAnswer(429, unavailable(SessionAdmission.TOO_MANY_NEW_AGENTS, retryAfter));
  }

  /** An Unavailable error response with when to come back. */
  static ServerToAgent unavailable(String reason, Duration retryAfter) {
    return ServerToAgent.newBuilder()
        .setCapabilities(AgentEntity.SERVER_CAPABILITIES)
        .setErrorResponse(
            ServerErrorResponse.newBuilder()
                .setType(ServerErrorResponseType.ServerErrorResponseType_Unavailable)
                .setErrorMessage(reason)
                .setRetryInfo(
                    RetryInfo.newBuilder().setRetryAfterNanoseconds(retryAfter.toNanos())))
        .build();
  }

  private static ServerErrorResponse badRequest(String reason) {
    return ServerErrorResponse.newBuilder()
        .setType(ServerErrorResponseType.ServerErrorResponseType_BadRequest)
        .setErrorMessage(reason)
        .build();
  }
}
