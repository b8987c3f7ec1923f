-- Packages operators offer agents (OpAMP PackagesAvailable): metadata here, uploaded content in
-- package_chunks, one row per chunk, so neither an upload nor a download holds a package in memory.
CREATE TABLE packages (
  name         text        NOT NULL,
  version      text        NOT NULL,
  type         text        NOT NULL CHECK (type IN ('top_level', 'addon')),
  -- Where agents download it when the content is kept elsewhere; null when it is uploaded here.
  download_url text,
  -- SHA-256 of the file content, as the operator declared it (checked against an upload).
  content_hash bytea       NOT NULL,
  signature    bytea,
  -- Bytes of uploaded content, once its upload completed; null while none has.
  size         bigint,
  created_at   timestamptz NOT NULL DEFAULT now(),
  created_by   text        NOT NULL,
  PRIMARY KEY (name, version)
);

CREATE TABLE package_chunks (
  name    text  NOT NULL,
  version text  NOT NULL,
  seq     int   NOT NULL,
  data    bytea NOT NULL,
  PRIMARY KEY (name, version, seq),
  FOREIGN KEY (name, version) REFERENCES packages (name, version) ON DELETE CASCADE
);

-- Packages travel in envelopes like configs do.
ALTER TABLE dispatch_envelopes DROP CONSTRAINT dispatch_envelopes_kind_check;
ALTER TABLE dispatch_envelopes ADD CONSTRAINT dispatch_envelopes_kind_check
  CHECK (kind IN ('REMOTE_CONFIG', 'RESTART', 'CUSTOM_MESSAGE', 'CONNECTION_SETTINGS', 'PACKAGES'));

-- What agents report of their packages (PackageStatuses), written by the status writer.
ALTER TABLE agents ADD COLUMN package_statuses jsonb;

-- A rollout moves agents to a configuration version or to a package set ([{name, version}]).
ALTER TABLE rollouts ALTER COLUMN configuration DROP NOT NULL;
ALTER TABLE rollouts ALTER COLUMN version DROP NOT NULL;
ALTER TABLE rollouts ADD COLUMN packages jsonb;
ALTER TABLE rollouts ADD CONSTRAINT rollouts_moves_something
  CHECK ((configuration IS NOT NULL AND version IS NOT NULL) <> (packages IS NOT NULL));
