-- Deleting an assignment finds the agents it gave their desired config to by the envelopes that
-- name it; without this index that is a scan of every envelope ever written.
CREATE INDEX dispatch_envelopes_by_assignment ON dispatch_envelopes ((payload->>'assignment'), instance_uid)
  WHERE kind = 'REMOTE_CONFIG' AND payload ? 'assignment';
