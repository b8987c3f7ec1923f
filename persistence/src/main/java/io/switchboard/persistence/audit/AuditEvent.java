package io.switchboard.persistence.audit;

import java.time.Instant;

/**
 * One operator action: who did what to which target, with the state before and after (JSON,
 * nullable).
 */
public record AuditEvent(
    long id,
    Instant at,
    String actor,
    String action,
    String target,
    String beforeJson,
    String afterJson) {}
