-- An agent's identity belongs to the credential it was first seen with: its principal, what that
-- credential proves ('token:<fleet>' or 'cert:<subject>'). NULL until an authenticated agent
-- reports, and after an operator resets it for a re-enrolment. Written by the status writer, which
-- never replaces a principal once set (see AgentStatusStore).
ALTER TABLE agents ADD COLUMN principal text;

-- Closed envelopes are removed after their retention; finding them by when they closed.
CREATE INDEX dispatch_envelopes_closed ON dispatch_envelopes (closed_at) WHERE closed_at IS NOT NULL;

-- Audit events are removed after their retention (a year by default), oldest first.
CREATE INDEX audit_events_at ON audit_events (at);
