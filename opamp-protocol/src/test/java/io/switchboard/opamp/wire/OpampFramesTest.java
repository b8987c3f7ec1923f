package io.switchboard.opamp.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.switchboard.opamp.proto.AgentToServer;
import io.switchboard.opamp.proto.ServerToAgent;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class OpampFramesTest {

  private static final AgentToServer STATUS =
      AgentToServer.newBuilder()
          .setInstanceUid(ByteString.copyFrom(new byte[16]))
          .setSequenceNum(7)
          .setCapabilities(0x1007)
          .build();

  @Test
  void roundTripsAFrameWithHeaderZero() throws Exception {
    byte[] frame = OpampFrames.encode(STATUS);

    assertEquals(0, frame[0], "the varint header 0 is one zero byte");
    assertEquals(STATUS, OpampFrames.decodeAgentToServer(ByteBuffer.wrap(frame)));
  }

  @Test
  void anEmptyPayloadIsAValidEmptyMessage() throws Exception {
    assertEquals(
        ServerToAgent.getDefaultInstance(),
        OpampFrames.decodeServerToAgent(ByteBuffer.wrap(new byte[] {0})));
  }

  @Test
  void aMultiByteZeroHeaderIsAccepted() throws Exception {
    byte[] payload = STATUS.toByteArray();
    byte[] frame = new byte[payload.length + 2];
    frame[0] = (byte) 0x80; // 0 encoded non-minimally over two bytes is still the value 0
    frame[1] = 0x00;
    System.arraycopy(payload, 0, frame, 2, payload.length);

    assertEquals(STATUS, OpampFrames.decodeAgentToServer(ByteBuffer.wrap(frame)));
  }

  @Test
  void aHeaderlessFrameIsRefusedAsNonZeroHeader() {
    byte[] headerless = STATUS.toByteArray();

    MalformedFrameException e =
        assertThrows(
            MalformedFrameException.class,
            () -> OpampFrames.decodeAgentToServer(ByteBuffer.wrap(headerless)));
    assertEquals(MalformedFrameException.Reason.NON_ZERO_HEADER, e.reason());
  }

  @Test
  void aTruncatedHeaderIsRefused() {
    MalformedFrameException e =
        assertThrows(
            MalformedFrameException.class,
            () -> OpampFrames.decodeAgentToServer(ByteBuffer.wrap(new byte[] {(byte) 0x80})));
    assertEquals(MalformedFrameException.Reason.TRUNCATED_HEADER, e.reason());
  }

  @Test
  void anEmptyFrameHasNoHeaderAndIsRefused() {
    MalformedFrameException e =
        assertThrows(
            MalformedFrameException.class,
            () -> OpampFrames.decodeAgentToServer(ByteBuffer.allocate(0)));
    assertEquals(MalformedFrameException.Reason.TRUNCATED_HEADER, e.reason());
  }

  @Test
  void garbageAfterAValidHeaderIsRefusedAsInvalidProtobuf() {
    byte[] garbage = {0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x13, 0x37};

    MalformedFrameException e =
        assertThrows(
            MalformedFrameException.class,
            () -> OpampFrames.decodeAgentToServer(ByteBuffer.wrap(garbage)));
    assertEquals(MalformedFrameException.Reason.INVALID_PROTOBUF, e.reason());
  }

  @Test
  void decodingReadsFromTheBufferPositionToItsLimit() throws Exception {
    byte[] frame = OpampFrames.encode(STATUS);
    byte[] padded = new byte[frame.length + 6];
    System.arraycopy(frame, 0, padded, 3, frame.length);
    ByteBuffer slice = ByteBuffer.wrap(padded, 3, frame.length);

    assertEquals(STATUS, OpampFrames.decodeAgentToServer(slice));
    assertArrayEquals(
        frame, OpampFrames.encode(OpampFrames.decodeAgentToServer(ByteBuffer.wrap(frame))));
  }
}
