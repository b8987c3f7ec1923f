package io.switchboard.persistence.status;

import java.time.Instant;

/** Builds statuses for tests. */
final class Statuses {

  private Statuses() {}

  static AgentStatus status(String uid, long version, String descriptionJson) {
    Instant now = Instant.now();
    return new AgentStatus(
        uid,
        version,
        ConnectionState.CONNECTED,
        now,
        version,
        "node-a",
        1,
        null,
        "{\"bits\":1}",
        descriptionJson,
        null,
        null,
        null,
        null,
        null,
        null,
        descriptionJson != null,
        now,
        now);
  }

  static String description(String serviceName) {
    return "{\"identifying_attributes\":{\"service.name\":\"" + serviceName + "\"}}";
  }
}
