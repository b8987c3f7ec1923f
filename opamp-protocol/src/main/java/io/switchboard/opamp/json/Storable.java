package io.switchboard.opamp.json;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The one rule that makes text from agents (and operators) storable in PostgreSQL: U+0000, the one
 * character that {@code text} and {@code jsonb} cannot hold, becomes U+FFFD, and so does half of a
 * surrogate pair, which has no UTF-8 form. Everything else is kept as it came. Applied wherever
 * text is rendered for the database, so that one agent's strings can never fail a write shared with
 * other agents.
 */
public final class Storable {

  /** What stands in for a character PostgreSQL cannot store. */
  public static final char REPLACEMENT = '\uFFFD';

  private Storable() {}

  /**
   * {@code text} with U+0000 and unpaired surrogates replaced by U+FFFD; the same instance when
   * none.
   */
  public static String text(String text) {
    if (text == null) {
      return null;
    }
    int first = firstUnstorable(text);
    if (first < 0) {
      return text;
    }
    StringBuilder storable = new StringBuilder(text.length()).append(text, 0, first);
    for (int i = first; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == 0) {
        storable.append(REPLACEMENT);
      } else if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        storable.append(c).append(text.charAt(++i));
      } else if (Character.isSurrogate(c)) {
        storable.append(REPLACEMENT);
      } else {
        storable.append(c);
      }
    }
    return storable.toString();
  }

  /** Whether {@link #text} would keep {@code text} as it is. */
  public static boolean isStorable(String text) {
    return firstUnstorable(text) < 0;
  }

  /**
   * The bytes as text, if they are valid UTF-8 and storable as they are; empty otherwise (binary
   * content, or text holding U+0000), which callers keep as base64 so that every byte round-trips.
   */
  public static Optional<String> utf8(byte[] bytes) {
    for (byte b : bytes) {
      if (b == 0) {
        return Optional.empty();
      }
    }
    try {
      return Optional.of(
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString());
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
  }

  private static int firstUnstorable(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == 0) {
        return i;
      }
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c)
            && i + 1 < text.length()
            && Character.isLowSurrogate(text.charAt(i + 1))) {
          i++;
        } else {
          return i;
        }
      }
    }
    return -1;
  }
}
