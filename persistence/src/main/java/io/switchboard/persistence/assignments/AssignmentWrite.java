package io.switchboard.persistence.assignments;

import java.util.UUID;

/**
 * What an assignment is set to by a create or an update: {@code message} is the ServerToAgent that
 * carries {@code version} (and {@code previousMessage} the one of {@code previousVersion}), made by
 * the caller, so that an agent's envelope can be written in SQL alone.
 */
public record AssignmentWrite(
    String name,
    String configuration,
    Integer version,
    Integer previousVersion,
    String selectorJson,
    int priority,
    String description,
    UUID rolloutId,
    byte[] message,
    byte[] previousMessage) {}
