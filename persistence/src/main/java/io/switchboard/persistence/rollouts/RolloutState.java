package io.switchboard.persistence.rollouts;

/** RUNNING and PAUSED rollouts can still change; the other three are final. */
public enum RolloutState {
  RUNNING,
  PAUSED,
  COMPLETED,
  ABORTED,
  ROLLED_BACK
}
