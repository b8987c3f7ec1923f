package io.switchboard.cluster.agent;

import io.switchboard.observability.SwitchboardMetrics;
import io.switchboard.persistence.status.ConnectionState;
import io.switchboard.persistence.status.StatusWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Hands an agent's status to its node's status writer. A message that changed nothing but the
 * agent's last-seen time and sequence number (a plain heartbeat) is left out until the last-seen
 * time handed over last is {@code lastSeenInterval} old: rewriting the agent's row on every
 * heartbeat was most of what an idle fleet cost the database, and nothing reads the stored values
 * for liveness (the entity judges that in memory) or for the sequence (a new incarnation starts
 * without one and asks for full state). A connect, a disconnect, a new session or node, and any
 * reported part are handed over at once.
 */
final class StatusRecorder {

  private final String instanceUid;
  private final ActorRef<StatusWriter.Command> writer;
  private final Duration lastSeenInterval;

  /** The connection state last handed over, to tell transitions from repeats; null before any. */
  private ConnectionState connectionState;

  private Instant lastSeen;
  private String node;
  private long epoch;
  private String principal;

  StatusRecorder(
      String instanceUid, ActorRef<StatusWriter.Command> writer, Duration lastSeenInterval) {
    this.instanceUid = instanceUid;
    this.writer = writer;
    this.lastSeenInterval = lastSeenInterval;
  }

  /** Records the agent's status, unless it only moved its last-seen time within the interval. */
  void record(
      AgentState state,
      ConnectionState newState,
      SessionOwner owner,
      String newPrincipal,
      Instant now) {
    boolean changed = newState != connectionState;
    if (!changed
        && !state.hasChanges()
        && owner.epoch() == epoch
        && owner.node().equals(node)
        && Objects.equals(newPrincipal, principal)
        && Duration.between(lastSeen, state.lastSeen()).compareTo(lastSeenInterval) < 0) {
      SwitchboardMetrics.statusWritesSkipped().increment();
      return;
    }
    connectionState = newState;
    lastSeen = state.lastSeen();
    node = owner.node();
    epoch = owner.epoch();
    principal = newPrincipal;
    writer.tell(
        new StatusWriter.Record(
            state.status(
                instanceUid, newState, changed, owner.node(), owner.epoch(), newPrincipal, now)));
  }
}
