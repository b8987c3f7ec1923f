package io.switchboard.opamp.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.opamp.proto.AgentCapabilities;
import io.switchboard.opamp.proto.AgentDescription;
import io.switchboard.opamp.proto.AnyValue;
import io.switchboard.opamp.proto.AvailableComponents;
import io.switchboard.opamp.proto.ComponentDetails;
import io.switchboard.opamp.proto.ComponentHealth;
import io.switchboard.opamp.proto.ConnectionSettingsStatus;
import io.switchboard.opamp.proto.CustomCapabilities;
import io.switchboard.opamp.proto.CustomMessage;
import io.switchboard.opamp.proto.EffectiveConfig;
import io.switchboard.opamp.proto.KeyValue;
import io.switchboard.opamp.proto.RemoteConfigStatus;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The JSON shape of an agent's state, as stored in the {@code agents} JSONB columns and served by
 * the API. Attribute lists become objects keyed by attribute name, so that SQL can ask {@code
 * description->'identifying_attributes'->>'service.name'} directly. Every key and every string an
 * agent sent goes through {@link Storable#text}, so whatever it reports can be stored.
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
    json.set(
        "non_identifying_attributes", attributes(description.getNonIdentifyingAttributesList()));
    return write(json);
  }

  public static String health(ComponentHealth health) {
    return write(healthNode(health));
  }

  public static String effectiveConfig(EffectiveConfig config) {
    ObjectNode json = NODES.objectNode();
    json.set("config_map", ConfigMapJson.toJson(config.getConfigMap()));
    return write(json);
  }

  public static String remoteConfigStatus(RemoteConfigStatus status) {
    ObjectNode json = NODES.objectNode();
    json.put(
        "last_remote_config_hash",
        HexFormat.of().formatHex(status.getLastRemoteConfigHash().toByteArray()));
    json.put("status", status.getStatus().name().replace("RemoteConfigStatuses_", ""));
    json.put("error_message", Storable.text(status.getErrorMessage()));
    return write(json);
  }

  /** Characters of an agent's connection settings error kept. */
  public static final int MAX_CONNECTION_SETTINGS_ERROR = 1000;

  /**
   * {@code {last_connection_settings_hash (hex), status, error_message}}: the hash is kept only up
   * to 64 bytes and the error up to {@link #MAX_CONNECTION_SETTINGS_ERROR} characters, storable.
   */
  public static String connectionSettingsStatus(ConnectionSettingsStatus status) {
    ObjectNode json = NODES.objectNode();
    byte[] hash = status.getLastConnectionSettingsHash().toByteArray();
    json.put(
        "last_connection_settings_hash",
        HexFormat.of().formatHex(hash, 0, Math.min(hash.length, 64)));
    json.put("status", status.getStatus().name().replace("ConnectionSettingsStatuses_", ""));
    String error = Storable.text(status.getErrorMessage());
    json.put(
        "error_message",
        error.length() <= MAX_CONNECTION_SETTINGS_ERROR
            ? error
            : error.substring(0, MAX_CONNECTION_SETTINGS_ERROR) + "...");
    return write(json);
  }

  /** {@code ["io.example.capability", ...]}. */
  public static String customCapabilities(CustomCapabilities capabilities) {
    ArrayNode json = NODES.arrayNode();
    capabilities.getCapabilitiesList().forEach(capability -> json.add(Storable.text(capability)));
    return write(json);
  }

  /**
   * The latest custom message per capability: {@code {capability: {type, data (base64),
   * received_at}}}.
   */
  public static String customMessages(
      Map<String, CustomMessage> byCapability, Map<String, Instant> receivedAt) {
    ObjectNode json = NODES.objectNode();
    byCapability.forEach(
        (capability, message) -> {
          ObjectNode node = json.putObject(Storable.text(capability));
          node.put("type", Storable.text(message.getType()));
          node.put("data", Base64.getEncoder().encodeToString(message.getData().toByteArray()));
          node.put("received_at", receivedAt.get(capability).toString());
        });
    return write(json);
  }

  /**
   * {@code {"hash": hex, "components": {id: {"metadata": {...}, "sub_components": {...}}}}}: for a
   * collector, the top-level ids are the kinds (receivers, exporters, ...) and their sub-components
   * the component types. {@code components} is absent when the agent sent the hash alone.
   */
  public static String availableComponents(AvailableComponents components) {
    ObjectNode json = NODES.objectNode();
    json.put("hash", HexFormat.of().formatHex(components.getHash().toByteArray()));
    if (components.getComponentsCount() > 0) {
      json.set("components", componentMap(components.getComponentsMap()));
    }
    return write(json);
  }

  private static ObjectNode componentMap(Map<String, ComponentDetails> components) {
    ObjectNode json = NODES.objectNode();
    // Sorted, so that the same list reported in another order stores the same text.
    new java.util.TreeMap<>(components)
        .forEach(
            (id, details) -> {
              ObjectNode node = json.putObject(Storable.text(id));
              if (details.getMetadataCount() > 0) {
                node.set("metadata", attributes(details.getMetadataList()));
              }
              if (details.getSubComponentMapCount() > 0) {
                node.set("sub_components", componentMap(details.getSubComponentMapMap()));
              }
            });
    return json;
  }

  private static ObjectNode healthNode(ComponentHealth health) {
    ObjectNode json = NODES.objectNode();
    json.put("healthy", health.getHealthy());
    json.put("status", Storable.text(health.getStatus()));
    json.put("last_error", Storable.text(health.getLastError()));
    json.put("start_time_unix_nano", health.getStartTimeUnixNano());
    json.put("status_time_unix_nano", health.getStatusTimeUnixNano());
    if (health.getAttributesCount() > 0) {
      json.set("attributes", attributes(health.getAttributesList()));
    }
    if (health.getComponentHealthMapCount() > 0) {
      ObjectNode components = json.putObject("component_health_map");
      health
          .getComponentHealthMapMap()
          .forEach((name, component) -> components.set(Storable.text(name), healthNode(component)));
    }
    return json;
  }

  private static ObjectNode attributes(List<KeyValue> keyValues) {
    ObjectNode json = NODES.objectNode();
    for (KeyValue keyValue : keyValues) {
      json.set(Storable.text(keyValue.getKey()), value(keyValue.getValue()));
    }
    return json;
  }

  private static JsonNode value(AnyValue value) {
    return switch (value.getValueCase()) {
      case STRING_VALUE -> NODES.textNode(Storable.text(value.getStringValue()));
      case BOOL_VALUE -> NODES.booleanNode(value.getBoolValue());
      case INT_VALUE -> NODES.numberNode(value.getIntValue());
      // JSON has no NaN or infinities: those are kept as their names.
      case DOUBLE_VALUE ->
          Double.isFinite(value.getDoubleValue())
              ? NODES.numberNode(value.getDoubleValue())
              : NODES.textNode(Double.toString(value.getDoubleValue()));
      case ARRAY_VALUE -> {
        ArrayNode array = NODES.arrayNode();
        value.getArrayValue().getValuesList().forEach(element -> array.add(value(element)));
        yield array;
      }
      case KVLIST_VALUE -> attributes(value.getKvlistValue().getValuesList());
      case BYTES_VALUE ->
          NODES.textNode(Base64.getEncoder().encodeToString(value.getBytesValue().toByteArray()));
      case VALUE_NOT_SET -> NODES.nullNode();
    };
  }

  private static String write(JsonNode json) {
    try {
      return MAPPER.writeValueAsString(json);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a tree of plain JSON nodes always serializes", e);
    }
  }
}
