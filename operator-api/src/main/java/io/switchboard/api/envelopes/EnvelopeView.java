package io.switchboard.api.envelopes;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonRawValue;
import io.switchboard.persistence.envelopes.Envelope;
import java.time.Instant;

/** An envelope as the API shows it. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record EnvelopeView(
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

  public static EnvelopeView of(Envelope envelope) {
    return new EnvelopeView(
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
