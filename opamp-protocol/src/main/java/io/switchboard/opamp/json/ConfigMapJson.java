package io.switchboard.opamp.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.switchboard.opamp.proto.AgentConfigFile;
import io.switchboard.opamp.proto.AgentConfigMap;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * The spec's config map in JSON, one shape for what operators send, what is stored and what the API
 * serves: {@code {"collector.yaml": {"content_type": "text/yaml", "body": "..."}}}. A file's body
 * is bytes: it is written as text when it is valid UTF-8 without U+0000, and otherwise as base64
 * with {@code "body_encoding": "base64"}, so that any body round-trips byte for byte.
 */
public final class ConfigMapJson {

  /** The one encoding besides plain text a body may come in. */
  public static final String BASE64 = "base64";

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private ConfigMapJson() {}

  /** The config map as JSON, files in name order; names and content types made storable. */
  public static ObjectNode toJson(AgentConfigMap config) {
    ObjectNode json = NODES.objectNode();
    config.getConfigMapMap().entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(file -> json.set(Storable.text(file.getKey()), file(file.getValue())));
    return json;
  }

  /** One file: its content type and its body, as text or base64. */
  public static ObjectNode file(AgentConfigFile file) {
    ObjectNode json = NODES.objectNode().put("content_type", Storable.text(file.getContentType()));
    byte[] body = file.getBody().toByteArray();
    Optional<String> text = Storable.utf8(body);
    if (text.isPresent()) {
      json.put("body", text.get());
    } else {
      json.put("body", Base64.getEncoder().encodeToString(body));
      json.put("body_encoding", BASE64);
    }
    return json;
  }

  /**
   * What is wrong with a config map an operator sent, or null when it is fine. Names and content
   * types must be storable as they are: a config is stored as sent and its hash is over its exact
   * bytes.
   */
  public static String problem(JsonNode configMap) {
    if (configMap == null || !configMap.isObject() || configMap.isEmpty()) {
      return "config_map must name at least one file";
    }
    for (Iterator<Map.Entry<String, JsonNode>> files = configMap.fields(); files.hasNext(); ) {
      Map.Entry<String, JsonNode> file = files.next();
      String name = file.getKey();
      JsonNode content = file.getValue();
      if (name.isBlank()) {
        return "config_map has a file with an empty name";
      }
      if (!Storable.isStorable(name)) {
        return "file name '" + Storable.text(name) + "' holds U+0000 or an unpaired surrogate";
      }
      if (!content.isObject() || !content.path("body").isTextual()) {
        return "file '" + name + "' has no body";
      }
      JsonNode contentType = content.path("content_type");
      if (!contentType.isMissingNode() && !contentType.isNull() && !contentType.isTextual()) {
        return "file '" + name + "' has a content_type that is not text";
      }
      if (contentType.isTextual() && !Storable.isStorable(contentType.asText())) {
        return "file '" + name + "' has a content_type holding U+0000 or an unpaired surrogate";
      }
      JsonNode encoding = content.path("body_encoding");
      if (!encoding.isMissingNode() && !encoding.isNull()) {
        if (!BASE64.equals(encoding.asText())) {
          return "file '"
              + name
              + "' has body_encoding '"
              + encoding.asText()
              + "'; only base64 is known";
        }
        try {
          Base64.getDecoder().decode(content.path("body").asText());
        } catch (IllegalArgumentException e) {
          return "file '" + name + "' has a body that is not base64: " + e.getMessage();
        }
      } else if (!Storable.isStorable(content.path("body").asText())) {
        return "file '"
            + name
            + "' has a text body holding U+0000 or an unpaired surrogate; send it as base64 (body_encoding)";
      }
    }
    return null;
  }

  /** The config map of valid JSON (see {@link #problem}). */
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
                        .setBody(body(file.getValue()))
                        .build()));
    return config.build();
  }

  private static ByteString body(JsonNode file) {
    String body = file.path("body").asText();
    return BASE64.equals(file.path("body_encoding").asText(null))
        ? ByteString.copyFrom(Base64.getDecoder().decode(body))
        : ByteString.copyFrom(body.getBytes(StandardCharsets.UTF_8));
  }
}
