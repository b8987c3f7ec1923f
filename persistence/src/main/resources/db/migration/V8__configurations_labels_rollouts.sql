-- Named configurations with immutable, numbered versions: a draft can change until it is
-- published; published and archived versions never change.
CREATE TABLE configurations (
  name        text        PRIMARY KEY,
  description text        NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL DEFAULT now(),
  created_by  text        NOT NULL
);

CREATE TABLE configuration_versions (
  name         text        NOT NULL REFERENCES configurations (name),
  version      int         NOT NULL,
  state        text        NOT NULL CHECK (state IN ('DRAFT', 'PUBLISHED', 'ARCHIVED')),
  -- The spec's AgentConfigMap: file name -> {content_type, body}.
  config_map   jsonb       NOT NULL,
  -- What agents report back as last_remote_config_hash (SHA-256 over the files, see ConfigHash).
  config_hash  bytea       NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  created_by   text        NOT NULL,
  published_at timestamptz,
  PRIMARY KEY (name, version)
);

-- Labels operators put on agents (env=prod, ring=canary, ...), matched by selectors. Not touched by
-- the status writers, so an agent's report never overwrites them.
ALTER TABLE agents ADD COLUMN labels jsonb NOT NULL DEFAULT '{}';
CREATE INDEX agents_labels ON agents USING gin (labels jsonb_path_ops);

-- A configuration version rolled out to the agents a selector matched when the rollout was created,
-- batch after batch, pausing by itself when a batch's health gates trip.
CREATE TABLE rollouts (
  id               uuid        PRIMARY KEY,
  configuration    text        NOT NULL,
  version          int         NOT NULL,
  -- The version the targets ran before, for a rollback; null when there was none.
  previous_version int,
  selector         jsonb       NOT NULL,
  strategy         jsonb       NOT NULL,
  gates            jsonb       NOT NULL,
  state            text        NOT NULL CHECK (state IN ('RUNNING', 'PAUSED', 'COMPLETED', 'ABORTED', 'ROLLED_BACK')),
  detail           text,
  current_batch    int         NOT NULL DEFAULT 0,
  -- The batch whose tripped gates an operator overrode by resuming: it may complete regardless.
  acknowledged_batch int,
  batch_count      int         NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  created_by       text        NOT NULL,
  updated_at       timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (configuration, version) REFERENCES configuration_versions (name, version)
);

CREATE TABLE rollout_targets (
  rollout_id   uuid NOT NULL REFERENCES rollouts (id),
  instance_uid text NOT NULL,
  batch        int  NOT NULL,
  -- The envelope that carried the config to this agent, once its batch started.
  dispatch_id  uuid REFERENCES dispatch_envelopes (id),
  PRIMARY KEY (rollout_id, instance_uid)
);
CREATE INDEX rollout_targets_batch ON rollout_targets (rollout_id, batch);
