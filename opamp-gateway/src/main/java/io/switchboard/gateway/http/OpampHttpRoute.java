package io.switchboard.gateway.http;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.decodeRequest;
import static org.apache.pekko.http.javadsl.server.Directives.encodeResponse;
import static org.apache.pekko.http.javadsl.server.Directives.entity;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequestEntity;
import static org.apache.pekko.http.javadsl.server.Directives.handleRejections;
import static org.apache.pekko.http.javadsl.server.Directives.onComplete;
import static org.apache.pekko.http.javadsl.server.Directives.optionalHeaderValueByName;
import static org.apache.pekko.http.javadsl.server.Directives.post;
import static org.apache.pekko.http.javadsl.server.Directives.withSizeLimit;

import com.google.protobuf.InvalidProtocolBufferException;
import io.switchboard.cluster.agent.AgentProtocol;
import io.switchboard.cluster.agent.AgentRefs;
import io.switchboard.gateway.admission.AdmissionControl;
import io.switchboard.gateway.auth.AgentCredential;
import io.switchboard.gateway.limits.MessageLimits;
import io.switchboard.gateway.limits.SessionRules;
import io.switchboard.observability.SwitchboardMetrics;
import io.switchboard.observability.SwitchboardMetrics.Transport;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.opamp.proto.AgentToServer;
import io.switchboard.opamp.proto.RetryInfo;
import io.switchboard.opamp.proto.ServerErrorResponse;
import io.switchboard.opamp.proto.ServerErrorResponseType;
import io.switchboard.opamp.proto.ServerToAgent;
import java.time.Duration;
import java.util.Optional;
import kamon.metric.Counter;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaType;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;
import org.apache.pekko.http.javadsl.server.MalformedRequestContentRejection;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.util.ByteString;

/**
 * OpAMP over plain HTTP: each {@code POST /v1/opamp} carries one AgentToServer (protobuf, gzip
 * allowed) and is answered with one ServerToAgent through the agent's entity, which keeps the
 * agent's state across polls. Bodies are bounded in size before and after decompression.
 */
public final class OpampHttpRoute {

  /** Compressible, so that responses are gzipped for clients that accept it. */
  static final MediaType.Binary PROTOBUF = MediaTypes.applicationBinary("x-protobuf", true);

  private static final ContentType PROTOBUF_CONTENT = ContentTypes.create(PROTOBUF);
  private static final String INSTANCE_UID_HEADER = "OpAMP-Instance-UID";

  private final long maxMessageBytes;
  private final MessageLimits limits;
  private final boolean certificateNamesAgent;
  private final Duration pollTimeout;
  private final String nodeName;
  private final AgentRefs entities;
  private final AdmissionControl admission;

  /** Looked up once: every poll counts here. */
  private final Counter framesReceived = SwitchboardMetrics.framesReceived(Transport.HTTP);

  public OpampHttpRoute(
      long maxMessageBytes,
      SessionRules rules,
      Duration pollTimeout,
      String nodeName,
      AgentRefs entities,
      AdmissionControl admission) {
    this.admission = admission;
    this.maxMessageBytes = maxMessageBytes;
    this.limits = rules.limits();
    this.certificateNamesAgent = rules.certificateNamesAgent();
    this.pollTimeout = pollTimeout;
    this.nodeName = nodeName;
    this.entities = entities;
  }

  /**
   * The POST handler for the OpAMP path (the caller matches the path and proves the credential).
   */
  public Route route(AgentCredential credential) {
    return post(
        () ->
            extractRequestEntity(
                request ->
                    !request.getContentType().mediaType().equals(PROTOBUF)
                        ? refuse(
                            StatusCodes.UNSUPPORTED_MEDIA_TYPE,
                            "content-type",
                            "OpAMP over HTTP needs Content-Type: application/x-protobuf")
                        : handleRejections(
                            oversized(),
                            () ->
                                withSizeLimit(
                                    maxMessageBytes,
                                    () ->
                                        decodeRequest(
                                            () ->
                                                encodeResponse(
                                                    () ->
                                                        optionalHeaderValueByName(
                                                            INSTANCE_UID_HEADER,
                                                            headerUid ->
                                                                entity(
                                                                    Unmarshaller
                                                                        .entityToByteString(),
                                                                    body ->
                                                                        poll(
                                                                            body,
                                                                            headerUid,
                                                                            credential)))))))));
  }

  private Route poll(ByteString body, Optional<String> headerUid, AgentCredential credential) {
    Optional<AdmissionControl.Refusal> refusal = admission.admitPoll();
    if (refusal.isPresent()) {
      SwitchboardMetrics.connectionsShed(Transport.HTTP, refusal.get().tag()).increment();
      return unavailable(
          "this node is at its limit (" + refusal.get().tag() + "); poll again later");
    }
    AgentToServer message;
    try {
      message = AgentToServer.parseFrom(body.toByteBuffer());
    } catch (InvalidProtocolBufferException e) {
      return refuse(
          StatusCodes.BAD_REQUEST,
          "invalid-protobuf",
          "body is not a valid AgentToServer: " + e.getMessage());
    }
    String uid;
    try {
      uid = InstanceUid.toText(message.getInstanceUid());
    } catch (IllegalArgumentException e) {
      return refuse(StatusCodes.BAD_REQUEST, "invalid-instance-uid", e.getMessage());
    }
    if (headerUid.isPresent() && !headerUid.get().equalsIgnoreCase(uid)) {
      return refuse(
          StatusCodes.BAD_REQUEST,
          "instance-uid-mismatch",
          INSTANCE_UID_HEADER
              + " "
              + headerUid.get()
              + " does not match the body's instance_uid "
              + uid);
    }
    Optional<MessageLimits.Violation> violation = limits.check(message);
    if (violation.isPresent()) {
      boolean tooLarge = violation.get().reason().endsWith("too-large");
      return refuse(
          tooLarge ? StatusCodes.PAYLOAD_TOO_LARGE : StatusCodes.BAD_REQUEST,
          violation.get().reason(),
          violation.get().detail());
    }
    if (certificateNamesAgent && credential.certified() && !credential.names(uid)) {
      return refuse(
          StatusCodes.FORBIDDEN,
          "instance-uid-not-certified",
          "the client certificate does not name agent " + uid);
    }
    framesReceived.increment();
    return onComplete(
        entities
            .entityFor(uid)
            .<AgentProtocol.PollAnswer>ask(
                replyTo ->
                    new AgentProtocol.AgentPoll(message, nodeName, credential.principal(), replyTo),
                pollTimeout),
        answer ->
            answer.isSuccess()
                ? answered(answer.get())
                : unavailable("the agent's state did not answer in time; poll again later"));
  }

  /** The entity's answer, with its status; a 429 says in Retry-After when to come back. */
  private static Route answered(AgentProtocol.PollAnswer answer) {
    HttpResponse response =
        HttpResponse.create()
            .withStatus(StatusCodes.get(answer.httpStatus()))
            .withEntity(PROTOBUF_CONTENT, answer.message().toByteArray());
    if (answer.message().getErrorResponse().hasRetryInfo()) {
      long seconds =
          Duration.ofNanos(
                  answer.message().getErrorResponse().getRetryInfo().getRetryAfterNanoseconds())
              .toSeconds();
      response = response.addHeader(RetryAfter.create(Math.max(1, seconds)));
    }
    if (answer.httpStatus() == 403) {
      SwitchboardMetrics.framesRejected(Transport.HTTP, "identity-conflict").increment();
    }
    return complete(response);
  }

  /** 503 with a jittered Retry-After, and the same delay in the error response's retry_info. */
  private Route unavailable(String detail) {
    Duration retryAfter = admission.retryAfter();
    ServerToAgent body =
        ServerToAgent.newBuilder()
            .setErrorResponse(
                ServerErrorResponse.newBuilder()
                    .setType(ServerErrorResponseType.ServerErrorResponseType_Unavailable)
                    .setErrorMessage(detail)
                    .setRetryInfo(
                        RetryInfo.newBuilder().setRetryAfterNanoseconds(retryAfter.toNanos())))
            .build();
    return complete(
        HttpResponse.create()
            .withStatus(StatusCodes.SERVICE_UNAVAILABLE)
            .addHeader(RetryAfter.create(Math.max(1, retryAfter.toSeconds())))
            .withEntity(PROTOBUF_CONTENT, body.toByteArray()));
  }

  /**
   * A body over the limit (before or after decompression) surfaces as a malformed-content
   * rejection.
   */
  private RejectionHandler oversized() {
    return RejectionHandler.newBuilder()
        .handle(
            MalformedRequestContentRejection.class,
            rejection ->
                rejection.getCause() instanceof EntityStreamSizeException
                    ? refuse(
                        StatusCodes.PAYLOAD_TOO_LARGE,
                        "oversized",
                        "request body exceeds the limit of " + maxMessageBytes + " bytes")
                    : refuse(StatusCodes.BAD_REQUEST, "unreadable-body", rejection.message()))
        .build();
  }

  private static Route refuse(StatusCode status, String reason, String detail) {
    SwitchboardMetrics.framesRejected(Transport.HTTP, reason).increment();
    return complete(
        HttpResponse.create()
            .withStatus(status)
            .withEntity(
                PROTOBUF_CONTENT,
                error(
                        ServerErrorResponseType.ServerErrorResponseType_BadRequest,
                        reason + ": " + detail)
                    .toByteArray()));
  }

  private static ServerToAgent error(ServerErrorResponseType type, String message) {
    return ServerToAgent.newBuilder()
        .setErrorResponse(ServerErrorResponse.newBuilder().setType(type).setErrorMessage(message))
        .build();
  }
}
