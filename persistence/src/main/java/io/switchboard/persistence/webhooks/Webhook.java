package io.switchboard.persistence.webhooks;

import java.time.Instant;
import java.util.List;

/** A webhook as stored, without its secret (which is only read to sign deliveries). */
public record Webhook(
    String name,
    String url,
    List<String> events,
    int disconnectedAfterMinutes,
    boolean enabled,
    Instant createdAt,
    Instant updatedAt) {}
