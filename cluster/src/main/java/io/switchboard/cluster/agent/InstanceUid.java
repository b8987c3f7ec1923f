package io.switchboard.cluster.agent;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.util.UUID;

/**
 * An agent's instance_uid. The spec makes it 16 bytes (ideally a UUID v7); its canonical text form,
 * the UUID string, is the sharding entity id and the {@code agents} primary key.
 */
public final class InstanceUid {

  public static final int LENGTH = 16;

  private InstanceUid() {}

  /** The canonical text form, or an exception naming the problem when the bytes are not 16 long. */
  public static String toText(ByteString uid) {
    if (uid.size() != LENGTH) {
      throw new IllegalArgumentException("instance_uid must be 16 bytes, got " + uid.size());
    }
    ByteBuffer buffer = uid.asReadOnlyByteBuffer();
    return new UUID(buffer.getLong(), buffer.getLong()).toString();
  }

  /** The wire form of a canonical text id. */
  public static ByteString toBytes(String text) {
    UUID uuid = UUID.fromString(text);
    return ByteString.copyFrom(
        ByteBuffer.allocate(LENGTH)
            .putLong(uuid.getMostSignificantBits())
            .putLong(uuid.getLeastSignificantBits())
            .flip());
  }
}
