-- Every notable change of an agent's status (connection state, or a reported part), appended by the
-- status writer in the same statement that updates agents. Parts are NULL when unchanged.
-- Partitioned by day so that retention drops whole partitions instead of deleting rows; the
-- housekeeping singleton creates the coming days' partitions and drops expired ones. The default
-- partition catches rows for days without a partition, so a late housekeeper never fails a write.
CREATE TABLE agent_status_history (
  instance_uid          text        NOT NULL,
  recorded_at           timestamptz NOT NULL,
  state_version         bigint      NOT NULL,
  connection_state      text        NOT NULL,
  owner_node            text,
  session_epoch         bigint      NOT NULL,
  capabilities          jsonb,
  description           jsonb,
  health                jsonb,
  effective_config      jsonb,
  remote_config_status  jsonb,
  custom_capabilities   jsonb
) PARTITION BY RANGE (recorded_at);

CREATE TABLE agent_status_history_default PARTITION OF agent_status_history DEFAULT;

CREATE INDEX agent_status_history_by_agent ON agent_status_history (instance_uid, recorded_at DESC);
