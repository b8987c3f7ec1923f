-- Webhooks operators register, and their deliveries: an outbox written in the same statement as the
-- event it tells of (a rollout's state change), or by the webhook singleton's periodic agent query.
CREATE TABLE webhooks (
  name                       text        PRIMARY KEY,
  url                        text        NOT NULL,
  events                     text[]      NOT NULL,
  disconnected_after_minutes integer     NOT NULL DEFAULT 5,
  enabled                    boolean     NOT NULL DEFAULT true,
  -- The HMAC key deliveries are signed with; it must be readable to sign, so it is kept as given.
  secret                     text        NOT NULL,
  created_at                 timestamptz NOT NULL DEFAULT now(),
  updated_at                 timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE webhook_deliveries (
  id              bigserial   PRIMARY KEY,
  webhook         text        NOT NULL REFERENCES webhooks (name) ON DELETE CASCADE,
  event           text        NOT NULL,
  payload         jsonb       NOT NULL,
  -- Agent events are found by a periodic query: one delivery per webhook and episode.
  dedup_key       text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  attempts        integer     NOT NULL DEFAULT 0,
  last_attempt_at timestamptz,
  last_status     integer,
  last_error      text,
  delivered_at    timestamptz,
  -- NULL once delivered or given up on.
  next_attempt_at timestamptz DEFAULT now(),
  -- Set while an attempt is under way: the endpoint's concurrency counts these.
  claimed_until   timestamptz,
  UNIQUE (webhook, dedup_key)
);

CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
CREATE INDEX webhook_deliveries_claimed ON webhook_deliveries (webhook) WHERE claimed_until IS NOT NULL;
CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook, id DESC);
CREATE INDEX webhook_deliveries_finished ON webhook_deliveries (created_at) WHERE next_attempt_at IS NULL;
