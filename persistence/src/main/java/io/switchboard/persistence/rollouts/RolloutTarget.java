package io.switchboard.persistence.rollouts;

import java.util.UUID;

/**
 * One agent of a rollout, its batch, and the envelope that carried the config to it (null before).
 */
public record RolloutTarget(String instanceUid, int batch, UUID envelopeId) {}
