-- The dashboard's live updates read the status history's newest rows every few seconds. History is
-- appended in time order, so a BRIN index finds them for almost no space or write cost.
CREATE INDEX agent_status_history_recent ON agent_status_history USING brin (recorded_at);
