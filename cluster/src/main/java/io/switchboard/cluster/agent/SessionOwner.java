package io.switchboard.cluster.agent;

import io.switchboard.cluster.agent.AgentProtocol.CloseSession;
import io.switchboard.cluster.agent.AgentProtocol.Session;
import io.switchboard.cluster.agent.AgentProtocol.SessionDirective;
import io.switchboard.observability.SwitchboardMetrics;
import io.switchboard.observability.SwitchboardMetrics.Transport;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Who holds an agent now. A WebSocket session has a socket to answer through; a polling (HTTP)
 * session has none, its replies go back on each poll. A newer epoch takes over from an older one.
 */
record SessionOwner(
    Transport transport, ActorRef<SessionDirective> socket, long epoch, String node) {

  static SessionOwner of(Session session) {
    return new SessionOwner(Transport.WEBSOCKET, session.ref(), session.epoch(), session.node());
  }

  static SessionOwner polling(long epoch, String node) {
    return new SessionOwner(Transport.HTTP, null, epoch, node);
  }

  boolean isWebSocket() {
    return transport == Transport.WEBSOCKET;
  }

  /** The same polling session, answered now through another node. */
  SessionOwner pollingThrough(String otherNode) {
    return new SessionOwner(transport, socket, epoch, otherNode);
  }

  /** Tells a WebSocket session to close; a polling session has nothing to close. */
  void close(String reason) {
    if (isWebSocket()) {
      socket.tell(new CloseSession(reason));
    }
  }

  /**
   * A WebSocket session is counted by the node holding its socket; a polling session has no socket,
   * so it is counted where the agent's entity runs.
   */
  void countAsActive(boolean started) {
    if (transport == Transport.HTTP) {
      if (started) {
        SwitchboardMetrics.activeSessions(Transport.HTTP).increment();
      } else {
        SwitchboardMetrics.activeSessions(Transport.HTTP).decrement();
      }
    }
  }

  /** Whether the socket is on another node than the entity (for the delivery metric). */
  String route() {
    return socket.path().address().hasGlobalScope() ? "forwarded" : "local";
  }
}
