package io.switchboard.cluster.agent;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.opamp.json.Storable;
import io.switchboard.opamp.proto.AgentToServer;
import io.switchboard.opamp.wire.MalformedFrameException;
import io.switchboard.opamp.wire.OpampFrames;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Whatever bytes an agent sends, the whole path to the status writer's SQL parameters (decoding,
 * merging into the agent's state, rendering the JSON columns) either works or is refused with
 * {@link MalformedFrameException}: nothing else may escape (no runtime exception, no hang), since
 * that would take down a session or an entity. And whatever is rendered is JSON that PostgreSQL's
 * jsonb accepts: no U+0000 (raw or escaped), and text that is valid UTF-8.
 */
class AgentMessageFuzzTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final AgentState state = new AgentState();

  @FuzzTest(maxDuration = "20s")
  void anyFrameIsDecodedMergedAndRenderedStorablyOrRefused(byte[] frame)
      throws JsonProcessingException {
    AgentToServer message;
    try {
      message = OpampFrames.decodeAgentToServer(ByteBuffer.wrap(frame));
    } catch (MalformedFrameException refused) {
      return;
    }
    try {
      InstanceUid.toText(message.getInstanceUid());
    } catch (IllegalArgumentException refused) {
      return;
    }
    state.apply(message, Instant.now());
    AgentState.Changes changes = state.takeChanges();
    Stream.of(
            changes.capabilities(),
            changes.description(),
            changes.health(),
            changes.effectiveConfig(),
            changes.remoteConfigStatus(),
            changes.customCapabilities(),
            changes.customMessages())
        .filter(json -> json != null)
        .forEach(AgentMessageFuzzTest::assertPostgresAcceptsJson);
  }

  /**
   * A U+0000 escaped in the JSON text would parse into U+0000, which {@link #assertStorable}
   * refuses.
   */
  private static void assertPostgresAcceptsJson(String rendered) {
    assertTrue(
        StandardCharsets.UTF_8.newEncoder().canEncode(rendered),
        "not encodable as UTF-8: " + rendered);
    JsonNode tree;
    try {
      tree = JSON.readTree(rendered);
    } catch (JsonProcessingException e) {
      throw new AssertionError("not JSON: " + rendered, e);
    }
    assertStorable(tree);
  }

  private static void assertStorable(JsonNode node) {
    if (node.isTextual()) {
      assertTrue(Storable.isStorable(node.asText()), "unstorable text: " + node.asText());
    }
    for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
      Map.Entry<String, JsonNode> field = fields.next();
      assertTrue(Storable.isStorable(field.getKey()), "unstorable key: " + field.getKey());
      assertStorable(field.getValue());
    }
    if (node.isArray()) {
      node.forEach(AgentMessageFuzzTest::assertStorable);
    }
  }
}
