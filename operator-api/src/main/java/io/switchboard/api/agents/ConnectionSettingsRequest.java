package io.switchboard.api.agents;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.switchboard.opamp.ConnectionSettings;
import io.switchboard.opamp.proto.ServerToAgent;
import java.time.Duration;

/**
 * Body of {@code PUT /api/agents/{id}/connection-settings}: {@code {"heartbeat_interval_seconds":
 * 60}}, this agent's own OpAMP heartbeat interval instead of the fleet's.
 */
record ConnectionSettingsRequest(
    @JsonProperty("heartbeat_interval_seconds") Integer heartbeatIntervalSeconds) {

  private static final int MAX_SECONDS = 86_400;

  /** What is wrong with the request, or null when it is fine. */
  String validate() {
    if (heartbeatIntervalSeconds == null
        || heartbeatIntervalSeconds < 1
        || heartbeatIntervalSeconds > MAX_SECONDS) {
      return "heartbeat_interval_seconds must be 1 to " + MAX_SECONDS;
    }
    return null;
  }

  ServerToAgent toMessage() {
    return ServerToAgent.newBuilder()
        .setConnectionSettings(
            ConnectionSettings.offer(Duration.ofSeconds(heartbeatIntervalSeconds)))
        .build();
  }
}
