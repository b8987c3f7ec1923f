package io.switchboard.api.agents;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.google.protobuf.ByteString;
import io.switchboard.opamp.proto.CustomMessage;
import io.switchboard.opamp.proto.ServerToAgent;
import java.util.Base64;

/**
 * Body of {@code POST /api/agents/{id}/custom-messages}: {@code {"capability": "...", "type":
 * "...", "data": "<base64>"}}.
 */
record CustomMessageRequest(
    @JsonProperty("capability") String capability,
    @JsonProperty("type") String type,
    @JsonProperty("data") String data) {

  /** What is wrong with the request, or null when it is fine. */
  String validate() {
    if (capability == null || capability.isBlank()) {
      return "capability is required";
    }
    if (type == null || type.isBlank()) {
      return "type is required";
    }
    try {
      decodedData();
    } catch (IllegalArgumentException e) {
      return "data must be base64";
    }
    return null;
  }

  ServerToAgent toMessage() {
    return ServerToAgent.newBuilder()
        .setCustomMessage(
            CustomMessage.newBuilder()
                .setCapability(capability)
                .setType(type)
                .setData(decodedData()))
        .build();
  }

  private ByteString decodedData() {
    return data == null ? ByteString.EMPTY : ByteString.copyFrom(Base64.getDecoder().decode(data));
  }
}
