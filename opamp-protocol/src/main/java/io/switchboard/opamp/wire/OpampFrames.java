package io.switchboard.opamp.wire;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import io.switchboard.opamp.proto.AgentToServer;
import io.switchboard.opamp.proto.ServerToAgent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * The OpAMP WebSocket frame: a Base 128 varint header, then the protobuf payload.
 *
 * <p>The spec reserves every header value but 0 and says a decoder should treat any other value as
 * malformed. We follow that strictly: a frame with a non-zero header is refused with {@link
 * MalformedFrameException.Reason#NON_ZERO_HEADER}. A header-less frame (sent by clients written
 * against pre-1.0 drafts) starts with a protobuf tag byte such as {@code 0x0A}, which decodes as a
 * non-zero header and is refused the same way: guessing could silently misread a future framing.
 * The transport answers such a frame with a {@code BadRequest} error response and keeps the
 * connection.
 */
public final class OpampFrames {

  /** The only header value defined by this version of the specification. */
  public static final long HEADER = 0L;

  private OpampFrames() {}

  /** Decodes an agent's frame. The buffer is read from its position to its limit. */
  public static AgentToServer decodeAgentToServer(ByteBuffer frame) throws MalformedFrameException {
    return decode(frame, AgentToServer.parser());
  }

  /** Decodes a server's frame (used by agents and by the fleet simulator). */
  public static ServerToAgent decodeServerToAgent(ByteBuffer frame) throws MalformedFrameException {
    return decode(frame, ServerToAgent.parser());
  }

  /** Encodes a message as a complete frame: header 0 followed by the payload. */
  public static byte[] encode(MessageLite message) {
    int headerSize = CodedOutputStream.computeUInt64SizeNoTag(HEADER);
    byte[] frame = new byte[headerSize + message.getSerializedSize()];
    CodedOutputStream out = CodedOutputStream.newInstance(frame);
    try {
      out.writeUInt64NoTag(HEADER);
      message.writeTo(out);
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException("a sized array cannot overflow", e);
    }
    return frame;
  }

  private static <T> T decode(ByteBuffer frame, Parser<T> parser) throws MalformedFrameException {
    CodedInputStream in = CodedInputStream.newInstance(frame);
    long header;
    try {
      header = in.readRawVarint64();
    } catch (IOException e) {
      throw new MalformedFrameException(
          MalformedFrameException.Reason.TRUNCATED_HEADER,
          "the frame ends inside its varint header",
          e);
    }
    if (header != HEADER) {
      throw new MalformedFrameException(
          MalformedFrameException.Reason.NON_ZERO_HEADER,
          "frame header is "
              + Long.toUnsignedString(header)
              + ", only 0 is defined (is the header missing?)",
          null);
    }
    try {
      return parser.parseFrom(in);
    } catch (InvalidProtocolBufferException e) {
      throw new MalformedFrameException(
          MalformedFrameException.Reason.INVALID_PROTOBUF,
          "payload is not a valid protobuf message: " + e.getMessage(),
          e);
    }
  }
}
