package io.switchboard.cluster.agent;

import io.switchboard.cluster.agent.AgentProtocol.SessionDirective;
import java.util.ArrayDeque;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The sockets an agent's entity has already replaced. The entity is the one place that sees every
 * session of its agent, so the order in which sessions first reach it decides who is newest: epochs
 * come from each node's own clock, and a reconnect through a node whose clock is behind must still
 * win. A socket that was replaced stays fenced out, even if its reports arrive late; the memory is
 * bounded, since a replaced socket is told to close and stops sending soon after.
 */
final class SupersededSessions {

  private static final int REMEMBERED = 16;

  private final ArrayDeque<ActorRef<SessionDirective>> sockets = new ArrayDeque<>();

  void add(ActorRef<SessionDirective> socket) {
    if (sockets.size() == REMEMBERED) {
      sockets.removeFirst();
    }
    sockets.addLast(socket);
  }

  boolean contains(ActorRef<SessionDirective> socket) {
    return sockets.contains(socket);
  }
}
