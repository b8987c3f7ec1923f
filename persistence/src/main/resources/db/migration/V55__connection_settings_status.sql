-- The ConnectionSettingsStatus an agent last reported (the hash it applied, APPLIED/APPLYING/FAILED,
-- the error), as JSON; NULL until it reports one.
ALTER TABLE agents ADD COLUMN connection_settings_status jsonb;
