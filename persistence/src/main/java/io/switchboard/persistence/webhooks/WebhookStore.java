package io.switchboard.persistence.webhooks;

import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.Readable;
import io.switchboard.persistence.Sql;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Webhooks and their deliveries (the outbox). Operators' changes are written with their audit
 * events in one statement; rollout events are written by {@code RolloutStore} with the state change
 * they tell of; agent events by {@link #enqueueAgentEvents}; the webhook singleton claims due
 * deliveries and records each attempt.
 */
public final class WebhookStore {

  private static final String COLUMNS =
      "name, url, events, disconnected_after_minutes, enabled, created_at, updated_at";

  /** What the audit log keeps of a webhook: everything but its secret. */
  private static final String AUDITED =
      "jsonb_build_object('url', url, 'events', to_jsonb(events), 'disconnected_after_minutes',"
          + " disconnected_after_minutes, 'enabled', enabled)";

  /** A delivery claimed for an attempt: what to send, where, and the key to sign it with. */
  public record Claimed(
      long id,
      String webhook,
      String event,
      String body,
      int attempts,
      String url,
      String secret) {}

  private final Sql db;

  public WebhookStore(ConnectionPool pool) {
    this.db = new Sql(pool);
  }

  public CompletionStage<List<Webhook>> list() {
    return db.rows(
            "SELECT " + COLUMNS + " FROM webhooks ORDER BY name", s -> {}, WebhookStore::toWebhook)
        .collectList()
        .toFuture();
  }

  public CompletionStage<Optional<Webhook>> find(String name) {
    return db.rows(
            "SELECT " + COLUMNS + " FROM webhooks WHERE name = $1",
            s -> s.bind(0, name),
            WebhookStore::toWebhook)
        .next()
        .map(Optional::of)
        .defaultIfEmpty(Optional.empty())
        .toFuture();
  }

  /** Creates the webhook with its audit event; empty when one of that name exists. */
  public CompletionStage<Optional<Webhook>> create(
      String name,
      String url,
      List<String> events,
      int disconnectedAfterMinutes,
      String secret,
      String actor) {
    return db.rows(
            """
            WITH created AS (
              INSERT INTO webhooks (name, url, events, disconnected_after_minutes, secret)
              VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO NOTHING RETURNING *
            ), audited AS (
              INSERT INTO audit_events (actor, action, target, after)
              SELECT $6, 'webhook.create', 'webhook/' || name, %s FROM created
            )
            SELECT %s FROM created
            """
                .formatted(AUDITED, COLUMNS),
            s ->
                s.bind(0, name)
                    .bind(1, url)
                    .bind(2, events.toArray(String[]::new))
                    .bind(3, disconnectedAfterMinutes)
                    .bind(4, secret)
                    .bind(5, actor),
            WebhookStore::toWebhook)
        .next()
        .map(Optional::of)
        .defaultIfEmpty(Optional.empty())
        .toFuture();
  }

  /**
   * Changes what is given (null: unchanged), with its audit event (the secret's change is noted,
   * never its value); empty when there is no such webhook.
   */
  public CompletionStage<Optional<Webhook>> update(
      String name,
      String url,
      List<String> events,
      Integer disconnectedAfterMinutes,
      Boolean enabled,
      String secret,
      String actor) {
    return db.rows(
            """
            WITH before AS (SELECT * FROM webhooks WHERE name = $1),
            changed AS (
              UPDATE webhooks SET url = coalesce($2, url), events = coalesce($3, events),
                     disconnected_after_minutes = coalesce($4, disconnected_after_minutes),
                     enabled = coalesce($5, enabled), secret = coalesce($6, secret), updated_at = now()
              WHERE name = $1 RETURNING *
            ), audited AS (
              INSERT INTO audit_events (actor, action, target, before, after)
              SELECT $7, 'webhook.update', 'webhook/' || changed.name,
                     (SELECT %1$s FROM before), %1$s || jsonb_build_object('secret_changed', $6::text IS NOT NULL)
              FROM changed
            )
            SELECT %2$s FROM changed
            """
                .formatted(AUDITED, COLUMNS),
            s -> {
              s.bind(0, name);
              Sql.bindNullable(s, 1, url, String.class);
              Sql.bindNullable(
                  s, 2, events == null ? null : events.toArray(String[]::new), String[].class);
              Sql.bindNullable(s, 3, disconnectedAfterMinutes, Integer.class);
              Sql.bindNullable(s, 4, enabled, Boolean.class);
              Sql.bindNullable(s, 5, secret, String.class);
              s.bind(6, actor);
            },
            WebhookStore::toWebhook)
        .next()
        .map(Optional::of)
        .defaultIfEmpty(Optional.empty())
        .toFuture();
  }

  /** Deletes the webhook and its deliveries, with its audit event; false when there was none. */
  public CompletionStage<Boolean> delete(String name, String actor) {
    return db.rows(
            """
            WITH removed AS (DELETE FROM webhooks WHERE name = $1 RETURNING *),
            audited AS (
              INSERT INTO audit_events (actor, action, target, before)
              SELECT $2, 'webhook.delete', 'webhook/' || name, %s FROM removed
            )
            SELECT count(*) FROM removed
            """
                .formatted(AUDITED),
            s -> s.bind(0, name).bind(1, actor),
            row -> row.get(0, Long.class))
        .single()
        .map(count -> count > 0)
        .toFuture();
  }

  /** The webhook's latest deliveries, newest first. */
  public CompletionStage<List<WebhookDelivery>> deliveries(String webhook, int limit) {
    return db.rows(
            """
            SELECT id, event, created_at, attempts, last_attempt_at, last_status, last_error, delivered_at,
                   next_attempt_at
            FROM webhook_deliveries WHERE webhook = $1 ORDER BY id DESC LIMIT $2
            """,
            s -> s.bind(0, webhook).bind(1, limit),
            row ->
                new WebhookDelivery(
                    row.get(0, Long.class),
                    row.get(1, String.class),
                    Sql.instant(row, 2),
                    row.get(3, Integer.class),
                    Sql.instant(row, 4),
                    row.get(5, Integer.class),
                    row.get(6, String.class),
                    Sql.instant(row, 7),
                    Sql.instant(row, 8)))
        .collectList()
        .toFuture();
  }

  /**
   * Writes a delivery for each agent that has been disconnected longer than a webhook's {@code
   * disconnected_after_minutes}, or reports itself unhealthy while connected, for the webhooks that
   * want that event: once per episode (the disconnection's last-seen time, the health report's
   * status time), only for episodes that began after the webhook was made and within {@code
   * within}, at most {@code limit} per call. Answers how many it wrote.
   */
  public CompletionStage<Long> enqueueAgentEvents(Duration within, int limit) {
    return db.rows(
            """
            WITH found AS (
              SELECT w.name AS webhook, 'agent.disconnected' AS event,
                     'agent.disconnected/' || a.instance_uid || '/' || a.last_seen AS dedup_key,
                     jsonb_build_object('event', 'agent.disconnected', 'occurred_at', now(),
                       'agent', jsonb_build_object('instance_uid', a.instance_uid, 'last_seen', a.last_seen,
                         'service_name', a.description->'identifying_attributes'->>'service.name',
                         'labels', a.labels)) AS payload
              FROM webhooks w JOIN agents a
                ON a.connection_state = 'DISCONNECTED'
               AND a.last_seen < now() - make_interval(mins => w.disconnected_after_minutes)
               AND a.last_seen > greatest(w.created_at, now() - $1::interval)
              WHERE w.enabled AND 'agent.disconnected' = ANY (w.events)
              UNION ALL
              SELECT w.name, 'agent.unhealthy',
                     'agent.unhealthy/' || a.instance_uid || '/' || coalesce(a.health->>'status_time_unix_nano', ''),
                     jsonb_build_object('event', 'agent.unhealthy', 'occurred_at', now(),
                       'agent', jsonb_build_object('instance_uid', a.instance_uid,
                         'service_name', a.description->'identifying_attributes'->>'service.name',
                         'labels', a.labels, 'health', a.health))
              FROM webhooks w JOIN agents a
                ON a.connection_state = 'CONNECTED'
               AND (a.health->>'healthy')::boolean = false
               AND a.updated_at > greatest(w.created_at, now() - $1::interval)
              WHERE w.enabled AND 'agent.unhealthy' = ANY (w.events)
              LIMIT $2
            ), written AS (
              INSERT INTO webhook_deliveries (webhook, event, payload, dedup_key)
              SELECT webhook, event, payload, dedup_key FROM found
              ON CONFLICT (webhook, dedup_key) DO NOTHING RETURNING id
            )
            SELECT count(*) FROM written
            """,
            s -> s.bind(0, within.toSeconds() + " seconds").bind(1, limit),
            row -> row.get(0, Long.class))
        .single()
        .toFuture();
  }

  /**
   * Claims due deliveries of enabled webhooks for an attempt of at most {@code lease}: per webhook
   * no more than {@code perEndpoint} under way at once (those claimed before and not finished
   * count), at most {@code batch} in all, oldest first.
   */
  public CompletionStage<List<Claimed>> claim(Duration lease, int perEndpoint, int batch) {
    return db.rows(
            """
            WITH busy AS (
              SELECT webhook, count(*) AS n FROM webhook_deliveries
              WHERE claimed_until > now() GROUP BY webhook
            ), due AS (
              SELECT d.id, d.webhook, coalesce(b.n, 0) AS busy,
                     row_number() OVER (PARTITION BY d.webhook ORDER BY d.next_attempt_at, d.id) AS rank
              FROM webhook_deliveries d
              JOIN webhooks w ON w.name = d.webhook AND w.enabled
              LEFT JOIN busy b ON b.webhook = d.webhook
              WHERE d.next_attempt_at <= now()
            ), chosen AS (
              SELECT id FROM due WHERE rank + busy <= $2 ORDER BY id LIMIT $3
            )
            UPDATE webhook_deliveries d
            SET claimed_until = now() + $1::interval, next_attempt_at = now() + $1::interval
            FROM chosen, webhooks w
            WHERE d.id = chosen.id AND w.name = d.webhook
            RETURNING d.id, d.webhook, d.event, d.payload::text, d.attempts, w.url, w.secret
            """,
            s -> s.bind(0, lease.toMillis() + " milliseconds").bind(1, perEndpoint).bind(2, batch),
            row ->
                new Claimed(
                    row.get(0, Long.class),
                    row.get(1, String.class),
                    row.get(2, String.class),
                    row.get(3, String.class),
                    row.get(4, Integer.class),
                    row.get(5, String.class),
                    row.get(6, String.class)))
        .collectList()
        .toFuture();
  }

  /**
   * Records one attempt: its HTTP status (null when none came) and error; delivered, or tried again
   * at {@code nextAttempt} (null: given up).
   */
  public CompletionStage<Long> recordAttempt(
      long id, Integer status, String error, boolean delivered, Instant nextAttempt) {
    return db.rowsUpdated(
            """
            UPDATE webhook_deliveries
            SET attempts = attempts + 1, last_attempt_at = now(), last_status = $2, last_error = $3,
                delivered_at = CASE WHEN $4 THEN now() END, next_attempt_at = $5, claimed_until = NULL
            WHERE id = $1
            """,
            s -> {
              s.bind(0, id);
              Sql.bindNullable(s, 1, status, Integer.class);
              Sql.bindNullable(s, 2, error, String.class);
              s.bind(3, delivered);
              Sql.bindNullable(
                  s,
                  4,
                  nextAttempt == null ? null : nextAttempt.atOffset(java.time.ZoneOffset.UTC),
                  java.time.OffsetDateTime.class);
            })
        .toFuture();
  }

  /** Deletes finished deliveries (delivered or given up on) older than {@code age}. */
  public CompletionStage<Long> purgeFinished(Duration age) {
    return db.rowsUpdated(
            "DELETE FROM webhook_deliveries WHERE next_attempt_at IS NULL AND created_at < now() - $1::interval",
            s -> s.bind(0, age.toSeconds() + " seconds"))
        .toFuture();
  }

  private static Webhook toWebhook(Readable row) {
    return new Webhook(
        row.get(0, String.class),
        row.get(1, String.class),
        Arrays.asList(row.get(2, String[].class)),
        row.get(3, Integer.class),
        row.get(4, Boolean.class),
        Sql.instant(row, 5),
        Sql.instant(row, 6));
  }
}
