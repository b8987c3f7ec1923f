package io.switchboard.cluster.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.switchboard.opamp.proto.AgentCapabilities;
import io.switchboard.opamp.proto.AgentConfigFile;
import io.switchboard.opamp.proto.AgentDescription;
import io.switchboard.opamp.proto.AnyValue;
import io.switchboard.opamp.proto.ComponentHealth;
import io.switchboard.opamp.proto.CustomCapabilities;
import io.switchboard.opamp.proto.CustomMessage;
import io.switchboard.opamp.proto.EffectiveConfig;
import io.switchboard.opamp.proto.KeyValue;
import io.switchboard.opamp.proto.RemoteConfigStatus;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The JSON shape of an agent's state, as stored in the {@code agents} JSONB columns and served by
 * the API. Attribute lists become objects keyed by attribute name, so that SQL can ask
 * {@code description->'identifying_attributes'->>'service.name'} directly.
 */
public final class AgentJson {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final String CAPABILITY_PREFIX = "AgentCapabilities_";

  private AgentJson() {}

  /** {@code {"bits": 4103, "names": ["ReportsStatus", ...]}}. */
  public static String capabilities(long bits) {
    ObjectNode json = NODES.objectNode().put("bits", bits);
    ArrayNode names = json.putArray("names");
    for (AgentCapabilities capability : AgentCapabilities.values()) {
      if (capability != AgentCapabilities.UNRECOGNIZED
          && capability.getNumber() != 0
          && (bits & capability.getNumber()) != 0) {
        names.add(capability.name().substring(CAPABILITY_PREFIX.length()));
      }
    }
    return write(json);
  }

  public static String description(AgentDescription description) {
    ObjectNode json = NODES.objectNode();
    json.set("identifying_attributes", attributes(description.getIdentifyingAttributesList()));
    json.set("non_identifying_attributes", attributes(description.getNonIdentifyingAttributesList()));
    return write(json);
  }

  public static String health(ComponentHealth health) {
    return write(healthNode(health));
  }

  public static String effectiveConfig(EffectiveConfig config) {
    ObjectNode files = NODES.objectNode();
    for (Map.Entry<String, AgentConfigFile> file : config.getConfigMap().getConfigMapMap().entrySet()) {
      ObjectNode node = files.putObject(file.getKey());
      node.put("content_type", file.getValue().getContentType());
      putBytes(node, "body", file.getValue().getBody());
    }
    ObjectNode json = NODES.objectNode();
    json.set("config_map", files);
    return write(json);
  }

  public static String remoteConfigStatus(RemoteConfigStatus status) {
    ObjectNode json = NODES.objectNode();
    json.put("last_remote_config_hash", HexFormat.of().formatHex(status.getLastRemoteConfigHash().toByteArray()));
    json.put("status", status.getStatus().name().replace("RemoteConfigStatuses_", ""));
    json.put("error_message", status.getErrorMessage());
    return write(json);
  }

  /** {@code ["io.example.capability", ...]}. */
  public static String customCapabilities(CustomCapabilities capabilities) {
    ArrayNode json = NODES.arrayNode();
    capabilities.getCapabilitiesList().forEach(json::add);
    return write(json);
  }

  /** The latest custom message per capability: {@code {capability: {type, data (base64), received_at}}}. */
  public static String customMessages(Map<String, CustomMessage> byCapability, Map<String, Instant> receivedAt) {
    ObjectNode json = NODES.objectNode();
    byCapability.forEach(
        (capability, message) -> {
          ObjectNode node = json.putObject(capability);
          node.put("type", message.getType());
          node.put("data", Base64.getEncoder().encodeToString(message.getData().toByteArray()));
          node.put("received_at", receivedAt.get(capability).toString());
        });
    return write(json);
  }

  private static ObjectNode healthNode(ComponentHealth health) {
    ObjectNode json = NODES.objectNode();
    json.put("healthy", health.getHealthy());
    json.put("status", health.getStatus());
    json.put("last_error", health.getLastError());
    json.put("start_time_unix_nano", health.getStartTimeUnixNano());
    json.put("status_time_unix_nano", health.getStatusTimeUnixNano());
    if (health.getAttributesCount() > 0) {
      json.set("attributes", attributes(health.getAttributesList()));
    }
    if (health.getComponentHealthMapCount() > 0) {
      ObjectNode components = json.putObject("component_health_map");
      health.getComponentHealthMapMap().forEach((name, component) -> components.set(name, healthNode(component)));
    }
    return json;
  }

  private static ObjectNode attributes(List<KeyValue> keyValues) {
    ObjectNode json = NODES.objectNode();
    for (KeyValue keyValue : keyValues) {
      json.set(keyValue.getKey(), value(keyValue.getValue()));
    }
    return json;
  }

  private static JsonNode value(AnyValue value) {
    return switch (value.getValueCase()) {
      case STRING_VALUE -> NODES.textNode(value.getStringValue());
      case BOOL_VALUE -> NODES.booleanNode(value.getBoolValue());
      case INT_VALUE -> NODES.numberNode(value.getIntValue());
      case DOUBLE_VALUE -> NODES.numberNode(value.getDoubleValue());
      case ARRAY_VALUE -> {
        ArrayNode array = NODES.arrayNode();
        value.getArrayValue().getValuesList().forEach(element -> array.add(value(element)));
        yield array;
      }
      case KVLIST_VALUE -> attributes(value.getKvlistValue().getValuesList());
      case BYTES_VALUE -> NODES.textNode(Base64.getEncoder().encodeToString(value.getBytesValue().toByteArray()));
      case VALUE_NOT_SET -> NODES.nullNode();
    };
  }

  /** Config bodies are text in practice; anything that is not valid UTF-8 is kept as base64. */
  private static void putBytes(ObjectNode node, String field, ByteString bytes) {
    try {
      node.put(
          field,
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes.toByteArray()))
              .toString());
    } catch (CharacterCodingException e) {
      node.put(field, Base64.getEncoder().encodeToString(bytes.toByteArray()));
      node.put(field + "_encoding", "base64");
    }
  }

  private static String write(JsonNode json) {
    try {
      return MAPPER.writeValueAsString(json);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a tree of plain JSON nodes always serializes", e);
    }
  }
}
