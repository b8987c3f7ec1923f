-- Indexes for the operator's agent queries, chosen from EXPLAIN on 100,000 agents (see
-- AgentQueryPlanTest). None of them covers a column that changes on every heartbeat (last_seen,
-- sequence_num, state_version, updated_at), so heartbeat updates stay HOT.

-- connection_state filter, paged in instance_uid order.
CREATE INDEX agents_by_connection_state ON agents (connection_state, instance_uid);

-- attribute filters: description @> '{"identifying_attributes": {"service.name": "x"}}'.
CREATE INDEX agents_by_description ON agents USING gin (description jsonb_path_ops);

-- health and remote config status filters, paged in instance_uid order.
CREATE INDEX agents_by_health ON agents (((health->>'healthy')::boolean), instance_uid);
CREATE INDEX agents_by_remote_config_status ON agents ((remote_config_status->>'status'), instance_uid);

-- newest agents first (first_seen never changes after the insert).
CREATE INDEX agents_by_first_seen ON agents (first_seen DESC, instance_uid DESC);
