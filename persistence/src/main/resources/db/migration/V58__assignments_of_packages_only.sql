-- An assignment may offer a package set instead of a configuration: its configuration, version and
-- message are then null (the API asks for a configuration, packages, or both).
ALTER TABLE assignments ALTER COLUMN configuration DROP NOT NULL;
ALTER TABLE assignments ALTER COLUMN version DROP NOT NULL;
ALTER TABLE assignments ALTER COLUMN message DROP NOT NULL;
