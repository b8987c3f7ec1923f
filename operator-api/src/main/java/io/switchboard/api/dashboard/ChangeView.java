package io.switchboard.api.dashboard;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.switchboard.persistence.fleet.StatusChange;

/** A notable status change as browsers receive it. */
record ChangeView(
    @JsonProperty("recorded_at") String recordedAt,
    @JsonProperty("instance_uid") String instanceUid,
    @JsonProperty("connection_state") String connectionState,
    @JsonProperty("healthy") Boolean healthy,
    @JsonProperty("remote_config_status") String remoteConfigStatus) {

  static ChangeView of(StatusChange change) {
    return new ChangeView(
        change.recordedAt().toString(),
        change.instanceUid(),
        change.connectionState(),
        change.healthy(),
        change.remoteConfigStatus());
  }
}
