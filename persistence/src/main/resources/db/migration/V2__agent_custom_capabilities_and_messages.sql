-- Custom capabilities an agent declares, and the latest custom message it sent per capability.
ALTER TABLE agents
  ADD COLUMN custom_capabilities jsonb,
  ADD COLUMN custom_messages     jsonb;
