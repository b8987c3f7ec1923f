-- Client certificates the server's CA issued to agents from their certificate signing requests.
-- Kept after the agent is removed, so that a revocation outlives it; a revoked certificate is refused
-- at the OpAMP port's TLS handshake.
CREATE TABLE agent_certificates (
  serial          text        PRIMARY KEY,
  instance_uid    text        NOT NULL,
  subject         text        NOT NULL,
  certificate_pem text        NOT NULL,
  issued_at       timestamptz NOT NULL DEFAULT now(),
  not_after       timestamptz NOT NULL,
  revoked_at      timestamptz,
  revoked_by      text
);
CREATE INDEX agent_certificates_by_agent ON agent_certificates (instance_uid, issued_at DESC);
CREATE INDEX agent_certificates_revoked ON agent_certificates (serial) WHERE revoked_at IS NOT NULL;
