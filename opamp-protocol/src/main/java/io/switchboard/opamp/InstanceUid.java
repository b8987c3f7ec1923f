package io.switchboard.opamp;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.UUID;

/**
 * An agent's instance_uid. The spec makes it 16 bytes (ideally a UUID v7); its canonical text form,
 * the UUID string, is the sharding entity id and the {@code agents} primary key.
 */
public final class InstanceUid {

  public static final int LENGTH = 16;

  private static final SecureRandom RANDOM = new SecureRandom();

  private InstanceUid() {}

  /** The canonical text form, or an exception naming the problem when the bytes are not 16 long. */
  public static String toText(ByteString uid) {
    if (uid.size() != LENGTH) {
      throw new IllegalArgumentException("instance_uid must be 16 bytes, got " + uid.size());
    }
    ByteBuffer buffer = uid.asReadOnlyByteBuffer();
    return new UUID(buffer.getLong(), buffer.getLong()).toString();
  }

  /**
   * A fresh id for an agent that asked the server for one: a UUID version 7 (time-ordered, as the
   * spec recommends for instance uids), so ids of one period cluster together in indexes.
   */
  public static ByteString newUid() {
    long millis = System.currentTimeMillis();
    long mostSignificant = (millis << 16) | 0x7000L | (RANDOM.nextLong() & 0x0FFFL);
    long leastSignificant = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return ByteString.copyFrom(
        ByteBuffer.allocate(LENGTH).putLong(mostSignificant).putLong(leastSignificant).flip());
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
