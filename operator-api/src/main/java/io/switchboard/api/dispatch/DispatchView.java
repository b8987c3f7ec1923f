package io.switchboard.api.dispatch;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonRawValue;
import io.switchboard.persistence.dispatch.DispatchEnvelope;
import java.time.Instant;

/** A dispatch envelope as the API shows it. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record DispatchView(
    @JsonProperty("id") String id,
    @JsonProperty("instance_uid") String instanceUid,
    @JsonProperty("kind") String kind,
    @JsonProperty("payload") @JsonRawValue String payload,
    @JsonProperty("state") String state,
    @JsonProperty("detail") String detail,
    @JsonProperty("deadline") String deadline,
    @JsonProperty("created_at") String createdAt,
    @JsonProperty("created_by") String createdBy,
    @JsonProperty("sent_at") String sentAt,
    @JsonProperty("sent_by_node") String sentByNode,
    @JsonProperty("closed_at") String closedAt) {

  public static DispatchView of(DispatchEnvelope envelope) {
    return new DispatchView(
        envelope.id().toString(),
        envelope.instanceUid(),
        envelope.kind().name(),
        envelope.payloadJson(),
        envelope.state().name(),
        envelope.detail(),
        text(envelope.deadline()),
        text(envelope.createdAt()),
        envelope.createdBy(),
        text(envelope.sentAt()),
        envelope.sentByNode(),
        text(envelope.closedAt()));
  }

  private static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }
}
