package io.switchboard.api.agents;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.switchboard.opamp.ConnectionSecrets;
import io.switchboard.opamp.proto.ConnectionSettingsOffers;
import io.switchboard.opamp.proto.OpAMPConnectionSettings;
import io.switchboard.opamp.proto.ServerToAgent;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Body of {@code PUT /api/agents/{id}/connection-settings}: this agent's own connection settings,
 * each part overlaying the fleet's: {@code heartbeat_interval_seconds}, {@code opamp} (another
 * endpoint and headers), {@code own_metrics}, {@code own_traces}, {@code own_logs} and {@code
 * other_connections} by name ({@link ConnectionDestination}). Secret header values and private keys
 * are sealed before the command is stored, and shown back as {@code "<secret>"}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record ConnectionSettingsRequest(
    @JsonProperty("heartbeat_interval_seconds") Integer heartbeatIntervalSeconds,
    @JsonProperty("opamp") ConnectionDestination opamp,
    @JsonProperty("own_metrics") ConnectionDestination ownMetrics,
    @JsonProperty("own_traces") ConnectionDestination ownTraces,
    @JsonProperty("own_logs") ConnectionDestination ownLogs,
    @JsonProperty("other_connections") Map<String, ConnectionDestination> otherConnections) {

  private static final int MAX_SECONDS = 86_400;
  static final int MAX_OTHER_CONNECTIONS = 32;
  private static final int MAX_NAME = 128;

  /** What is wrong with the request, or null when it is fine. */
  String validate(ConnectionSecrets secrets) {
    if (heartbeatIntervalSeconds == null
        && opamp == null
        && ownMetrics == null
        && ownTraces == null
        && ownLogs == null
        && (otherConnections == null || otherConnections.isEmpty())) {
      return "give heartbeat_interval_seconds, opamp, own_metrics, own_traces, own_logs or"
          + " other_connections";
    }
    if (heartbeatIntervalSeconds != null
        && (heartbeatIntervalSeconds < 1 || heartbeatIntervalSeconds > MAX_SECONDS)) {
      return "heartbeat_interval_seconds must be 1 to " + MAX_SECONDS;
    }
    String problem = check("opamp", opamp, ConnectionDestination.Kind.OPAMP, secrets);
    problem = problem != null ? problem : check("own_metrics", ownMetrics, null, secrets);
    problem = problem != null ? problem : check("own_traces", ownTraces, null, secrets);
    problem = problem != null ? problem : check("own_logs", ownLogs, null, secrets);
    if (problem != null || otherConnections == null) {
      return problem;
    }
    if (otherConnections.size() > MAX_OTHER_CONNECTIONS) {
      return "other_connections may name at most " + MAX_OTHER_CONNECTIONS + " connections";
    }
    for (Map.Entry<String, ConnectionDestination> other : otherConnections.entrySet()) {
      if (other.getKey().isBlank() || other.getKey().length() > MAX_NAME) {
        return "other_connections names must be 1 to " + MAX_NAME + " characters";
      }
      problem =
          check(
              "other_connections." + other.getKey(),
              other.getValue(),
              ConnectionDestination.Kind.OTHER,
              secrets);
      if (problem != null) {
        return problem;
      }
    }
    return null;
  }

  private static String check(
      String field,
      ConnectionDestination destination,
      ConnectionDestination.Kind kind,
      ConnectionSecrets secrets) {
    if (destination == null) {
      return null;
    }
    return destination.validate(
        field, kind == null ? ConnectionDestination.Kind.TELEMETRY : kind, secrets);
  }

  /** The command as the agent's entity takes it, secrets sealed with {@code secrets}. */
  ServerToAgent toMessage(ConnectionSecrets secrets) {
    ConnectionSettingsOffers.Builder offers = ConnectionSettingsOffers.newBuilder();
    if (heartbeatIntervalSeconds != null || opamp != null) {
      OpAMPConnectionSettings.Builder settings =
          opamp == null ? OpAMPConnectionSettings.newBuilder() : opamp.opamp(secrets).toBuilder();
      if (heartbeatIntervalSeconds != null) {
        settings.setHeartbeatIntervalSeconds(heartbeatIntervalSeconds);
      }
      offers.setOpamp(settings);
    }
    if (ownMetrics != null) {
      offers.setOwnMetrics(ownMetrics.telemetry(secrets));
    }
    if (ownTraces != null) {
      offers.setOwnTraces(ownTraces.telemetry(secrets));
    }
    if (ownLogs != null) {
      offers.setOwnLogs(ownLogs.telemetry(secrets));
    }
    if (otherConnections != null) {
      otherConnections.forEach(
          (name, other) -> offers.putOtherConnections(name, other.other(secrets)));
    }
    return ServerToAgent.newBuilder().setConnectionSettings(offers).build();
  }

  /** The request as it is stored and shown: every secret value {@code "<secret>"}. */
  ConnectionSettingsRequest shown() {
    Map<String, ConnectionDestination> others = null;
    if (otherConnections != null) {
      others = new LinkedHashMap<>();
      for (Map.Entry<String, ConnectionDestination> other : otherConnections.entrySet()) {
        others.put(other.getKey(), other.getValue().shown());
      }
    }
    return new ConnectionSettingsRequest(
        heartbeatIntervalSeconds,
        opamp == null ? null : opamp.shown(),
        ownMetrics == null ? null : ownMetrics.shown(),
        ownTraces == null ? null : ownTraces.shown(),
        ownLogs == null ? null : ownLogs.shown(),
        others);
  }
}
