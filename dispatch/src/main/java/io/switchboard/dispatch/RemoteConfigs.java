package io.switchboard.dispatch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.switchboard.cluster.agent.ConfigHash;
import io.switchboard.opamp.proto.AgentConfigFile;
import io.switchboard.opamp.proto.AgentConfigMap;
import io.switchboard.opamp.proto.AgentRemoteConfig;
import io.switchboard.opamp.proto.ServerToAgent;
import java.util.Iterator;
import java.util.Map;

/**
 * The spec's config map as operators write it in JSON ({@code {"collector.yaml": {"content_type":
 * "text/yaml", "body": "..."}}}) and as agents receive it (an AgentRemoteConfig with its hash).
 */
public final class RemoteConfigs {

  private RemoteConfigs() {}

  /** What is wrong with a config map in JSON, or null when it is fine. */
  public static String problem(JsonNode configMap) {
    if (configMap == null || !configMap.isObject() || configMap.isEmpty()) {
      return "config_map must name at least one file";
    }
    for (Iterator<Map.Entry<String, JsonNode>> files = configMap.fields(); files.hasNext(); ) {
      Map.Entry<String, JsonNode> file = files.next();
      if (file.getKey().isBlank()) {
        return "config_map has a file with an empty name";
      }
      if (!file.getValue().isObject() || !file.getValue().path("body").isTextual()) {
        return "file '" + file.getKey() + "' has no body";
      }
      JsonNode contentType = file.getValue().path("content_type");
      if (!contentType.isMissingNode() && !contentType.isNull() && !contentType.isTextual()) {
        return "file '" + file.getKey() + "' has a content_type that is not text";
      }
    }
    return null;
  }

  /** The config map of a valid JSON config map (see {@link #problem}). */
  public static AgentConfigMap fromJson(JsonNode configMap) {
    AgentConfigMap.Builder config = AgentConfigMap.newBuilder();
    configMap
        .fields()
        .forEachRemaining(
            file ->
                config.putConfigMap(
                    file.getKey(),
                    AgentConfigFile.newBuilder()
                        .setContentType(file.getValue().path("content_type").asText(""))
                        .setBody(ByteString.copyFromUtf8(file.getValue().path("body").asText()))
                        .build()));
    return config.build();
  }

  /** The config map back as JSON, files in name order. */
  public static ObjectNode toJson(AgentConfigMap config) {
    ObjectNode json = JsonNodeFactory.instance.objectNode();
    config.getConfigMapMap().entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            file ->
                json.putObject(file.getKey())
                    .put("content_type", file.getValue().getContentType())
                    .put("body", file.getValue().getBody().toStringUtf8()));
    return json;
  }

  /** The ServerToAgent part that offers this config, with the hash agents report back. */
  public static ServerToAgent message(AgentConfigMap config) {
    return ServerToAgent.newBuilder()
        .setRemoteConfig(AgentRemoteConfig.newBuilder().setConfig(config).setConfigHash(ConfigHash.of(config)))
        .build();
  }
}
