package io.switchboard.opamp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class InstanceUidTest {

  @Test
  void roundTripsTheCanonicalTextForm() {
    String text = UUID.randomUUID().toString();

    assertEquals(16, InstanceUid.toBytes(text).size());
    assertEquals(text, InstanceUid.toText(InstanceUid.toBytes(text)));
  }

  @Test
  void refusesUidsThatAreNotSixteenBytes() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> InstanceUid.toText(ByteString.copyFromUtf8("short")));
    assertEquals("instance_uid must be 16 bytes, got 5", e.getMessage());
  }
}
