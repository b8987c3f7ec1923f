-- The commit of the file a version came from (switchboard apply --commit), so a running config can
-- be traced back to the Git revision that declared it.
ALTER TABLE configuration_versions ADD COLUMN source_commit text;
