package io.switchboard.gateway.session;

import org.apache.pekko.util.ByteString;

/** What a session pushes to its socket. */
public sealed interface Outbound {

  /** An encoded OpAMP frame. */
  record Frame(ByteString bytes) implements Outbound {}

  /**
   * Close the connection after the frames before it, with a WebSocket status code (RFC 6455, 7.4.1)
   * and a short reason.
   */
  record Close(int code, String reason) implements Outbound {

    /** The usual end of a session. */
    public static final Close NORMAL = new Close(1000, "");

    /** The agent sent a message over the size limit. */
    public static Close messageTooBig(long limit) {
      return new Close(1009, "message exceeds " + limit + " bytes");
    }

    /**
     * The agent did what it must not (another credential's identity, refused messages in a row).
     */
    public static Close policyViolation(String reason) {
      return new Close(1008, reason.length() > 120 ? reason.substring(0, 120) : reason);
    }

    /** The node cannot take the agent now; it was told when to come back. */
    public static final Close TRY_AGAIN_LATER = new Close(1013, "try again later");
  }
}
