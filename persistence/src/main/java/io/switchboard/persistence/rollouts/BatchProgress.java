package io.switchboard.persistence.rollouts;

/**
 * Where one batch of a rollout stands: its targets, how their envelopes ended (or not yet), and how
 * many of its agents are disconnected or unhealthy now.
 */
public record BatchProgress(
    int batch,
    int targets,
    int notDispatched,
    int open,
    int applied,
    int failed,
    int expired,
    int disconnected,
    int unhealthy) {

  /** Every target's envelope ended one way or another. */
  public boolean settled() {
    return notDispatched == 0 && open == 0;
  }
}
