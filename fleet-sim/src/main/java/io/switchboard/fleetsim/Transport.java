package io.switchboard.fleetsim;

import io.switchboard.opamp.proto.AgentToServer;
import java.net.InetSocketAddress;
import java.net.URI;
import org.apache.pekko.actor.typed.ActorRef;

/** How agents reach the server. One instance serves every agent of its protocol. */
interface Transport {

  /**
   * Opens a connection for one agent. What happens on it comes back as {@link ChannelEvent}s tagged
   * with {@code connection}, starting with {@link ChannelEvent.Opened} or {@link
   * ChannelEvent.Closed}.
   */
  Channel open(
      URI target, InetSocketAddress localAddress, long connection, ActorRef<ChannelEvent> events);

  /** One agent's connection. Called only from the agent's actor. */
  interface Channel {

    void send(AgentToServer message);

    /** Ends the connection after what was sent so far; a {@link ChannelEvent.Closed} may follow. */
    void close();

    /**
     * True for HTTP polling: each message gets exactly one answer, and the next message waits for
     * it. False for WebSocket, where either side may send at any time.
     */
    boolean oneMessageInFlight();
  }
}
