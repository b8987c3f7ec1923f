package io.switchboard.cluster.agent;

import io.switchboard.persistence.BatchedCalls;
import io.switchboard.persistence.agents.AgentRepository;
import io.switchboard.persistence.agents.AgentStart;
import java.util.concurrent.CompletionStage;

/**
 * What a new incarnation of an agent's entity reads before it serves the agent (after a node died,
 * a shard moved, it was passivated, or the agent is new).
 */
@FunctionalInterface
public interface AgentStarts {

  /** The agent's start state; {@link AgentStart#UNKNOWN} for an agent the database never saw. */
  CompletionStage<AgentStart> read(String instanceUid);

  /** Reads under way at once. */
  int READS_AT_ONCE = 2;

  /** Agents per statement: a few hundred keep one statement to milliseconds. */
  int MAX_BATCH = 500;

  /**
   * Reads from the database, one statement for many entities starting together (a connect storm),
   * so that a storm's reads take at most a few of the pool's connections.
   */
  static AgentStarts batched(AgentRepository agents) {
    BatchedCalls<String, AgentStart> reads =
        new BatchedCalls<>(agents::starts, AgentStart.UNKNOWN, READS_AT_ONCE, MAX_BATCH);
    return reads::call;
  }
}
