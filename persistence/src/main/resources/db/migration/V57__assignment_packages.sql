-- An assignment may offer a package set ([{name, version}]) besides its configuration. Like its
-- version, the set has a previous one while a change of it rolls out (agents that join meanwhile get
-- the previous set), and its PackagesAvailable message is made once in Java, with its
-- all_packages_hash (hex) kept beside it so that SQL alone decides whether an agent has it already.
ALTER TABLE assignments
  ADD COLUMN packages                  jsonb,
  ADD COLUMN packages_hash             text,
  ADD COLUMN packages_message          bytea,
  ADD COLUMN previous_packages         jsonb,
  ADD COLUMN previous_packages_hash    text,
  ADD COLUMN previous_packages_message bytea,
  -- The rollout that took the assignment to its package set (null: none yet).
  ADD COLUMN packages_rollout_id       uuid REFERENCES rollouts (id);
