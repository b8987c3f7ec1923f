package io.switchboard.gateway.session;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The WebSocket sessions alive on this node. A leaving node drains them through here and waits
 * until every one has told its agent's entity that it ended, so that those last messages reach the
 * entities before sharding hands them off.
 */
public final class LiveSessions {

  private final Set<ActorRef<AgentSession.Command>> sessions = ConcurrentHashMap.newKeySet();
  private final CompletableFuture<Done> allEnded = new CompletableFuture<>();
  private volatile boolean draining;

  void started(ActorRef<AgentSession.Command> session) {
    sessions.add(session);
  }

  void ended(ActorRef<AgentSession.Command> session) {
    sessions.remove(session);
    if (draining && sessions.isEmpty()) {
      allEnded.complete(Done.getInstance());
    }
  }

  /**
   * Tells every session to send its agent elsewhere; completes when all have ended, or after {@code
   * timeout} at the latest.
   */
  public CompletionStage<Done> drain(NodeDraining drainingNode, Duration timeout) {
    draining = true;
    sessions.forEach(session -> session.tell(new AgentSession.Drain(drainingNode)));
    if (sessions.isEmpty()) {
      allEnded.complete(Done.getInstance());
    }
    return allEnded.completeOnTimeout(
        Done.getInstance(), timeout.toMillis(), TimeUnit.MILLISECONDS);
  }
}
