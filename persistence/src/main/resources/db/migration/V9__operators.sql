-- Operator accounts for the dashboard and the API, with one role each: VIEWER reads, OPERATOR also
-- changes the fleet, ADMIN also manages accounts. Passwords are stored as PBKDF2 hashes.
CREATE TABLE operators (
  username      text        PRIMARY KEY,
  password_hash text        NOT NULL,
  role          text        NOT NULL CHECK (role IN ('VIEWER', 'OPERATOR', 'ADMIN')),
  created_at    timestamptz NOT NULL DEFAULT now()
);

-- Signed-in sessions, shared by every node: the cookie carries a random token, the table only its
-- SHA-256, so a copy of the table signs nobody in. csrf_token must come back on every change.
CREATE TABLE operator_sessions (
  token_hash bytea       PRIMARY KEY,
  username   text        NOT NULL REFERENCES operators (username) ON DELETE CASCADE,
  csrf_token text        NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX operator_sessions_expiry ON operator_sessions (expires_at);
