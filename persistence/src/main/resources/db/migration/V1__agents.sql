-- The latest known state of every agent, one row per agent, written by the status writers.
-- fillfactor 70 leaves room on each page so that updates stay HOT (heap-only tuples); for the same
-- reason nothing that changes on every heartbeat (last_seen, updated_at) is indexed.
CREATE TABLE agents (
  instance_uid          text        PRIMARY KEY,
  -- Stale-write guard: a row is only replaced by a higher version (see AgentStatusStore).
  state_version         bigint      NOT NULL,
  connection_state      text        NOT NULL CHECK (connection_state IN ('CONNECTED', 'DISCONNECTED')),
  last_seen             timestamptz NOT NULL,
  sequence_num          bigint      NOT NULL,
  owner_node            text,
  session_epoch         bigint      NOT NULL,
  capabilities          jsonb,
  description           jsonb,
  health                jsonb,
  effective_config      jsonb,
  remote_config_status  jsonb,
  first_seen            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now()
) WITH (fillfactor = 70);
