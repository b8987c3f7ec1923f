package io.switchboard.fleetsim;

import io.switchboard.opamp.proto.ServerToAgent;
import java.time.Duration;
import java.util.Optional;

/** What a transport tells an agent about one of its connections. */
sealed interface ChannelEvent extends SimulatedAgent.Command {

  /** Which connection of the agent this is about; events of older connections are ignored. */
  long connection();

  /** Messages may be sent now. */
  record Opened(long connection) implements ChannelEvent {}

  record Received(long connection, ServerToAgent message) implements ChannelEvent {}

  /** The server sent something that is not an OpAMP message; the connection stays. */
  record Unreadable(long connection, String errorKind) implements ChannelEvent {}

  /**
   * The connection ended or could not be made. {@code errorKind} is empty for an orderly end;
   * {@code retryAfter} is what the server asked for (HTTP 503 Retry-After), if anything.
   */
  record Closed(long connection, Optional<String> errorKind, Optional<Duration> retryAfter)
      implements ChannelEvent {

    static Closed failed(long connection, String errorKind) {
      return new Closed(connection, Optional.of(errorKind), Optional.empty());
    }
  }
}
