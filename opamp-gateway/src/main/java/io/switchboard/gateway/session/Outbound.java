package io.switchboard.gateway.session;

import org.apache.pekko.util.ByteString;

/** What a session pushes to its socket. */
public sealed interface Outbound {

  /** An encoded OpAMP frame. */
  record Frame(ByteString bytes) implements Outbound {}

  /** Close the connection after the frames before it. */
  enum Close implements Outbound {
    INSTANCE
  }
}
