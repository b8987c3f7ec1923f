package io.switchboard.api.agents;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.google.protobuf.ByteString;
import io.switchboard.cluster.agent.ConfigHash;
import io.switchboard.opamp.proto.AgentConfigFile;
import io.switchboard.opamp.proto.AgentConfigMap;
import io.switchboard.opamp.proto.AgentRemoteConfig;
import io.switchboard.opamp.proto.ServerToAgent;
import java.util.Map;

/**
 * Body of {@code PUT /api/agents/{id}/remote-config}: the config map as the spec has it, one entry
 * per file, e.g. {@code {"config_map": {"collector.yaml": {"content_type": "text/yaml", "body": "..."}}}}.
 */
record RemoteConfigRequest(@JsonProperty("config_map") Map<String, File> configMap) {

  record File(@JsonProperty("content_type") String contentType, @JsonProperty("body") String body) {}

  /** What is wrong with the request, or null when it is fine. */
  String validate() {
    if (configMap == null || configMap.isEmpty()) {
      return "config_map must name at least one file";
    }
    for (Map.Entry<String, File> file : configMap.entrySet()) {
      if (file.getKey().isBlank()) {
        return "config_map has a file with an empty name";
      }
      if (file.getValue() == null || file.getValue().body() == null) {
        return "file '" + file.getKey() + "' has no body";
      }
    }
    return null;
  }

  /** The remote config as the agent receives it, with the hash it reports back. */
  ServerToAgent toMessage() {
    AgentConfigMap.Builder config = AgentConfigMap.newBuilder();
    configMap.forEach(
        (name, file) ->
            config.putConfigMap(
                name,
                AgentConfigFile.newBuilder()
                    .setContentType(file.contentType() == null ? "" : file.contentType())
                    .setBody(ByteString.copyFromUtf8(file.body()))
                    .build()));
    AgentConfigMap configMap = config.build();
    return ServerToAgent.newBuilder()
        .setRemoteConfig(AgentRemoteConfig.newBuilder().setConfig(configMap).setConfigHash(ConfigHash.of(configMap)))
        .build();
  }
}
