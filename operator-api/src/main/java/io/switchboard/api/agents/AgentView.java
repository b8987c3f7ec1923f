package io.switchboard.api.agents;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonRawValue;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.persistence.agents.AgentRecord;

/**
 * An agent as the API shows it; the reported parts are the stored JSON, passed through as is. A
 * list leaves the effective config out (it may be megabytes, and hold credentials): fetch it per
 * agent.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
record AgentView(
    @JsonProperty("instance_uid") String instanceUid,
    @JsonProperty("connection_state") String connectionState,
    @JsonProperty("last_seen") String lastSeen,
    @JsonProperty("sequence_num") long sequenceNum,
    @JsonProperty("owner_node") String ownerNode,
    @JsonProperty("session_epoch") long sessionEpoch,
    @JsonProperty("capabilities") @JsonRawValue String capabilities,
    @JsonProperty("description") @JsonRawValue String description,
    @JsonProperty("health") @JsonRawValue String health,
    @JsonProperty("effective_config") @JsonRawValue @JsonInclude(JsonInclude.Include.NON_NULL)
        String effectiveConfig,
    @JsonProperty("remote_config_status") @JsonRawValue String remoteConfigStatus,
    @JsonProperty("custom_capabilities") @JsonRawValue String customCapabilities,
    @JsonProperty("custom_messages") @JsonRawValue String customMessages,
    @JsonProperty("package_statuses") @JsonRawValue String packageStatuses,
    @JsonProperty("labels") @JsonRawValue String labels,
    @JsonProperty("desired_config_hash") String desiredConfigHash,
    @JsonProperty("drifted") boolean drifted,
    @JsonProperty("principal") String principal,
    @JsonProperty("first_seen") String firstSeen,
    @JsonProperty("updated_at") String updatedAt,
    @JsonProperty("available_components") @JsonRawValue @JsonInclude(JsonInclude.Include.NON_NULL)
        String availableComponents,
    @JsonProperty("assignment") String assignment,
    @JsonProperty("desired_config_source") String desiredConfigSource,
    @JsonProperty("connection_settings_status") @JsonRawValue String connectionSettingsStatus) {

  /** In a list: without the effective config. */
  static AgentView listed(AgentRecord agent, ObjectMapper json) {
    return of(agent, null, json);
  }

  /** The agent's available components for one agent's view: {@code null} when never reported. */
  private static String components(AgentRecord agent, String effectiveConfig) {
    if (effectiveConfig == null) {
      return null;
    }
    return agent.availableComponentsJson() == null ? "null" : agent.availableComponentsJson();
  }

  /** One agent, with its effective config as given (redacted for a VIEWER when configured). */
  static AgentView detail(AgentRecord agent, String effectiveConfig, ObjectMapper json) {
    return of(agent, effectiveConfig == null ? "null" : effectiveConfig, json);
  }

  private static AgentView of(AgentRecord agent, String effectiveConfig, ObjectMapper json) {
    return new AgentView(
        agent.instanceUid(),
        agent.connectionState().name(),
        agent.lastSeen().toString(),
        agent.sequenceNum(),
        agent.ownerNode(),
        agent.sessionEpoch(),
        agent.capabilitiesJson(),
        agent.descriptionJson(),
        agent.healthJson(),
        effectiveConfig,
        agent.remoteConfigStatusJson(),
        agent.customCapabilitiesJson(),
        agent.customMessagesJson(),
        agent.packageStatusesJson(),
        agent.labelsJson(),
        agent.desiredConfigHash(),
        drifted(agent, json),
        agent.principal(),
        agent.firstSeen().toString(),
        agent.updatedAt().toString(),
        components(agent, effectiveConfig),
        agent.configOverride() ? null : agent.assignment(),
        source(agent),
        agent.connectionSettingsStatusJson());
  }

  /**
   * Where the desired config comes from: an operator's override (it beats assignments until
   * cleared), an assignment, or neither (no desired config, or one a plain rollout sent).
   */
  private static String source(AgentRecord agent) {
    if (agent.configOverride()) {
      return "override";
    }
    return agent.assignment() != null ? "assignment" : "none";
  }

  /** Drift: operators want a config whose hash is not the one the agent reports running. */
  private static boolean drifted(AgentRecord agent, ObjectMapper json) {
    if (agent.desiredConfigHash() == null) {
      return false;
    }
    String reported = "";
    if (agent.remoteConfigStatusJson() != null) {
      try {
        reported =
            json.readTree(agent.remoteConfigStatusJson())
                .path("last_remote_config_hash")
                .asText("");
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("stored remote config status is JSON", e);
      }
    }
    return !agent.desiredConfigHash().equalsIgnoreCase(reported);
  }
}
