-- Every operator command for an agent, written before the API answers, so that nothing submitted is
-- lost when a node dies: the envelope is the record of what was asked, where it went and how it
-- ended.
CREATE TABLE dispatch_envelopes (
  id              uuid        PRIMARY KEY,
  instance_uid    text        NOT NULL,
  kind            text        NOT NULL CHECK (kind IN ('REMOTE_CONFIG', 'RESTART', 'CUSTOM_MESSAGE')),
  -- What the operator asked for, as they wrote it (shown by the API).
  payload         jsonb       NOT NULL,
  -- The ServerToAgent fragment that carries it (protobuf bytes), so any node can resend it.
  message         bytea       NOT NULL,
  -- For remote config: the hash the agent reports back once it has applied (or failed) it.
  config_hash     bytea,
  -- A client's key for retries: the same key again returns the first envelope.
  idempotency_key text        UNIQUE,
  state           text        NOT NULL CHECK (state IN ('PENDING', 'SENT', 'APPLIED', 'FAILED', 'EXPIRED')),
  detail          text,
  deadline        timestamptz NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  created_by      text        NOT NULL,
  sent_at         timestamptz,
  sent_by_node    text,
  closed_at       timestamptz,
  -- When the redelivery sweep last handed the envelope to the agent's entity.
  nudged_at       timestamptz
);

-- An agent's dispatch history, newest first.
CREATE INDEX dispatch_envelopes_by_agent ON dispatch_envelopes (instance_uid, created_at DESC, id);
-- The whole list, newest first (keyset pagination).
CREATE INDEX dispatch_envelopes_by_time ON dispatch_envelopes (created_at DESC, id);
-- The sweep only ever looks at open envelopes, a small part of the table.
CREATE INDEX dispatch_envelopes_open ON dispatch_envelopes (deadline) WHERE state IN ('PENDING', 'SENT');

-- Every operator action, appended only: who, what, on which target, the state before and after.
CREATE TABLE audit_events (
  id      bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at      timestamptz NOT NULL DEFAULT now(),
  actor   text        NOT NULL,
  action  text        NOT NULL,
  target  text        NOT NULL,
  before  jsonb,
  after   jsonb
);
