package io.switchboard.cluster.agent;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.switchboard.opamp.proto.AgentToServer;
import io.switchboard.opamp.wire.MalformedFrameException;
import io.switchboard.opamp.wire.OpampFrames;
import java.nio.ByteBuffer;
import java.time.Instant;

/**
 * Whatever bytes an agent sends, decoding them and merging the result into an agent's state either
 * works or is refused with {@link MalformedFrameException}: nothing else may escape (no runtime
 * exception, no hang), since that would take down a session or an entity.
 */
class AgentMessageFuzzTest {

  private final AgentState state = new AgentState();

  @FuzzTest(maxDuration = "20s")
  void anyFrameIsDecodedAndMergedOrRefused(byte[] frame) {
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
    state.takeChanges();
  }
}
