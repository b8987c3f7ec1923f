package io.switchboard.gateway.session;

import org.apache.pekko.util.ByteString;

/** One WebSocket message from an agent after the transport has bounded and collected it. */
public sealed interface InboundFrame {

  /** A complete binary message within the size limit. */
  record Binary(ByteString bytes) implements InboundFrame {}

  /** A binary message larger than the limit; its bytes were not kept. */
  record Oversized(long limit) implements InboundFrame {}

  /** A text message: OpAMP is binary only. */
  record Text() implements InboundFrame {}
}
