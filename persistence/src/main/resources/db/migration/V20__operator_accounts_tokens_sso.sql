-- Accounts an admin can disable; accounts that come from single sign-on (OIDC) have no password.
ALTER TABLE operators
  ADD COLUMN disabled boolean NOT NULL DEFAULT false,
  ADD COLUMN source   text    NOT NULL DEFAULT 'local' CHECK (source IN ('local', 'oidc')),
  ALTER COLUMN password_hash DROP NOT NULL;

-- The first admin is made once per cluster: the node whose insert of this single row wins makes
-- it, every other node that started at the same moment makes nothing.
CREATE TABLE first_admin (
  only_row   boolean     PRIMARY KEY DEFAULT true CHECK (only_row),
  username   text        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO first_admin (username)
SELECT username FROM operators WHERE role = 'ADMIN' ORDER BY created_at LIMIT 1;

-- API tokens for automation. The token itself is shown once; the table holds only its SHA-256.
-- A token acts as its owner, with a role no higher than the owner's; it goes with its owner.
CREATE TABLE api_tokens (
  id           uuid        PRIMARY KEY,
  name         text        NOT NULL,
  owner        text        NOT NULL REFERENCES operators (username) ON DELETE CASCADE,
  role         text        NOT NULL CHECK (role IN ('VIEWER', 'OPERATOR', 'ADMIN')),
  token_hash   bytea       NOT NULL UNIQUE,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  last_used_at timestamptz
);
CREATE INDEX api_tokens_owner ON api_tokens (owner);

-- Single sign-on attempts between the redirect to the provider and its answer (any node may get
-- the answer): the state's SHA-256, the PKCE verifier and the nonce the ID token must carry.
CREATE TABLE sso_logins (
  state_hash    bytea       PRIMARY KEY,
  code_verifier text        NOT NULL,
  nonce         text        NOT NULL,
  expires_at    timestamptz NOT NULL
);
