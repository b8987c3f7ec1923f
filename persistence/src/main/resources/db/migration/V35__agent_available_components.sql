-- The components an agent reports it can run (OpAMP available_components): {"hash", "components"}.
-- Rollouts check a configuration's component types against it.
ALTER TABLE agents ADD COLUMN available_components jsonb;
