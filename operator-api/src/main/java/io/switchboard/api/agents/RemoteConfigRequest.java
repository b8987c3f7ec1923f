package io.switchboard.api.agents;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.dispatch.RemoteConfigs;
import io.switchboard.opamp.json.ConfigMapJson;
import io.switchboard.opamp.proto.ServerToAgent;

/**
 * Body of {@code PUT /api/agents/{id}/remote-config}: the config map as the spec has it, one entry
 * per file, e.g. {@code {"config_map": {"collector.yaml": {"content_type": "text/yaml", "body":
 * "..."}}}}.
 */
record RemoteConfigRequest(@JsonProperty("config_map") JsonNode configMap) {

  /** What is wrong with the request, or null when it is fine. */
  String validate() {
    return ConfigMapJson.problem(configMap);
  }

  /** The remote config as the agent receives it, with the hash it reports back. */
  ServerToAgent toMessage() {
    return RemoteConfigs.message(ConfigMapJson.fromJson(configMap));
  }
}
