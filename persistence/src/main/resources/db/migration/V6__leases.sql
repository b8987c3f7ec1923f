-- Leases for Pekko's coordination API (per-shard leases, singleton leader leases, SBR
-- lease-majority). Expiry is judged by the database's clock, so nodes' clocks need not agree.
-- fencing_token grows each time the lease changes hands, so a stale holder can be told apart.
CREATE TABLE leases (
  name          text        PRIMARY KEY,
  owner         text        NOT NULL,
  expires_at    timestamptz NOT NULL,
  fencing_token bigint      NOT NULL,
  acquired_at   timestamptz NOT NULL DEFAULT now()
);
