package io.switchboard.opamp.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StorableTest {

  @Test
  void storableTextIsKeptAsItIs() {
    String text = "checkout \u00e9 \uD83D\uDE00 \u4e2d";
    assertSame(text, Storable.text(text));
    assertTrue(Storable.isStorable(text));
  }

  @Test
  void nulBecomesTheReplacementCharacter() {
    assertEquals("a\uFFFDb\uFFFD", Storable.text("a\u0000b\u0000"));
    assertFalse(Storable.isStorable("a\u0000"));
  }

  @Test
  void unpairedSurrogatesBecomeTheReplacementCharacter() {
    assertEquals("\uFFFDx\uFFFD", Storable.text("\uD800x\uDC00"));
    assertEquals("\uD83D\uDE00\uFFFD", Storable.text("\uD83D\uDE00\uD83D"));
  }

  @Test
  void bytesAreTextOnlyWhenValidUtf8WithoutNul() {
    assertEquals(
        Optional.of("key: value\n"),
        Storable.utf8("key: value\n".getBytes(StandardCharsets.UTF_8)));
    assertEquals(Optional.empty(), Storable.utf8(new byte[] {'a', 0, 'b'}));
    assertEquals(Optional.empty(), Storable.utf8(new byte[] {(byte) 0xC3, (byte) 0x28}));
  }
}
