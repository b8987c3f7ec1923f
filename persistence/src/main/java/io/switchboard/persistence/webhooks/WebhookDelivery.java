package io.switchboard.persistence.webhooks;

import java.time.Instant;

/**
 * One delivery of one event to one webhook, as the API shows it: its attempts so far, the last
 * one's HTTP status (null when none answered) and error, when it was delivered, and when it is
 * tried next (null once delivered or given up on).
 */
public record WebhookDelivery(
    long id,
    String event,
    Instant createdAt,
    int attempts,
    Instant lastAttemptAt,
    Integer lastStatus,
    String lastError,
    Instant deliveredAt,
    Instant nextAttemptAt) {}
