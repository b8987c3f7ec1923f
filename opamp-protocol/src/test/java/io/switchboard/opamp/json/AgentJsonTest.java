package io.switchboard.opamp.json;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.switchboard.opamp.proto.AgentConfigFile;
import io.switchboard.opamp.proto.AgentConfigMap;
import io.switchboard.opamp.proto.AgentDescription;
import io.switchboard.opamp.proto.AnyValue;
import io.switchboard.opamp.proto.ArrayValue;
import io.switchboard.opamp.proto.EffectiveConfig;
import io.switchboard.opamp.proto.KeyValue;
import io.switchboard.opamp.proto.RemoteConfigStatus;
import io.switchboard.opamp.proto.RemoteConfigStatuses;
import org.junit.jupiter.api.Test;

class AgentJsonTest {

  private final ObjectMapper mapper = new ObjectMapper();

  @Test
  void attributesBecomeAnObjectKeyedByName() throws Exception {
    AgentDescription description =
        AgentDescription.newBuilder()
            .addIdentifyingAttributes(
                attribute("service.name", AnyValue.newBuilder().setStringValue("checkout")))
            .addNonIdentifyingAttributes(
                attribute("host.cpus", AnyValue.newBuilder().setIntValue(8)))
            .addNonIdentifyingAttributes(
                attribute(
                    "tags",
                    AnyValue.newBuilder()
                        .setArrayValue(
                            ArrayValue.newBuilder()
                                .addValues(AnyValue.newBuilder().setStringValue("a"))
                                .addValues(AnyValue.newBuilder().setBoolValue(true)))))
            .build();

    JsonNode json = mapper.readTree(AgentJson.description(description));

    assertEquals("checkout", json.at("/identifying_attributes/service.name").asText());
    assertEquals(8, json.at("/non_identifying_attributes/host.cpus").asInt());
    assertEquals("[\"a\",true]", json.at("/non_identifying_attributes/tags").toString());
  }

  @Test
  void capabilitiesAreNamed() throws Exception {
    JsonNode json = mapper.readTree(AgentJson.capabilities(0x1 | 0x2 | 0x1000));

    assertEquals(4099, json.get("bits").asLong());
    assertEquals(
        "[\"ReportsStatus\",\"AcceptsRemoteConfig\",\"ReportsRemoteConfig\"]",
        json.get("names").toString());
  }

  @Test
  void configBodiesAreTextUnlessTheyAreNotUtf8() throws Exception {
    EffectiveConfig config =
        EffectiveConfig.newBuilder()
            .setConfigMap(
                AgentConfigMap.newBuilder()
                    .putConfigMap(
                        "collector.yaml",
                        AgentConfigFile.newBuilder()
                            .setContentType("text/yaml")
                            .setBody(ByteString.copyFromUtf8("receivers: {}"))
                            .build())
                    .putConfigMap(
                        "blob",
                        AgentConfigFile.newBuilder()
                            .setBody(ByteString.copyFrom(new byte[] {(byte) 0xFF, 0}))
                            .build()))
            .build();

    JsonNode json = mapper.readTree(AgentJson.effectiveConfig(config));

    assertEquals("receivers: {}", json.at("/config_map/collector.yaml/body").asText());
    assertEquals("text/yaml", json.at("/config_map/collector.yaml/content_type").asText());
    assertEquals("/wA=", json.at("/config_map/blob/body").asText());
    assertEquals("base64", json.at("/config_map/blob/body_encoding").asText());
  }

  @Test
  void remoteConfigStatusCarriesTheHashAsHex() throws Exception {
    JsonNode json =
        mapper.readTree(
            AgentJson.remoteConfigStatus(
                RemoteConfigStatus.newBuilder()
                    .setLastRemoteConfigHash(ByteString.copyFrom(new byte[] {0x0a, (byte) 0xbc}))
                    .setStatus(RemoteConfigStatuses.RemoteConfigStatuses_FAILED)
                    .setErrorMessage("bad yaml")
                    .build()));

    assertEquals("0abc", json.get("last_remote_config_hash").asText());
    assertEquals("FAILED", json.get("status").asText());
    assertEquals("bad yaml", json.get("error_message").asText());
  }

  private static KeyValue attribute(String key, AnyValue.Builder value) {
    return KeyValue.newBuilder().setKey(key).setValue(value).build();
  }
}
