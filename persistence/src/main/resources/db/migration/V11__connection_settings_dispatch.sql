-- Operators can also dispatch connection settings (the OpAMP heartbeat interval of one agent).
ALTER TABLE dispatch_envelopes DROP CONSTRAINT dispatch_envelopes_kind_check;
ALTER TABLE dispatch_envelopes ADD CONSTRAINT dispatch_envelopes_kind_check
  CHECK (kind IN ('REMOTE_CONFIG', 'RESTART', 'CUSTOM_MESSAGE', 'CONNECTION_SETTINGS'));
