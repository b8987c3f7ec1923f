package io.switchboard.persistence.assignments;

import java.util.UUID;

/**
 * The package set an assignment is to offer, as a change writes it: {@code packagesJson} is {@code
 * [{name, version}]} (null: none), {@code hash} its {@code all_packages_hash} in hex and {@code
 * message} the ServerToAgent that offers it, made by the caller. With {@code rolloutId} (the
 * rollout of the change) the set it offered so far stays, as the previous one, for agents that join
 * while that rollout runs.
 */
public record AssignmentPackages(String packagesJson, String hash, byte[] message, UUID rolloutId) {

  /** No package set. */
  public static final AssignmentPackages NONE = new AssignmentPackages(null, null, null, null);
}
