-- Standing assignments: a configuration version bound to a selector with a priority. Every agent
-- whose winning assignment (highest priority; ties: the older assignment, then the smaller name) it
-- is gets that version as its desired config, now and whenever it connects or is relabelled.
CREATE TABLE assignments (
  name                 text        PRIMARY KEY,
  configuration        text        NOT NULL REFERENCES configurations (name),
  version              int         NOT NULL,
  -- The version before the last version change: what agents joining while its rollout runs get.
  previous_version     int,
  -- {"attributes": [{"key", "op", "values"}...], "labels": [...]}, read by switchboard_selector_matches.
  selector             jsonb       NOT NULL,
  priority             int         NOT NULL DEFAULT 0,
  description          text        NOT NULL DEFAULT '',
  -- The rollout that took the assignment to its version (null: none yet).
  rollout_id           uuid        REFERENCES rollouts (id),
  -- The ServerToAgent carrying version (and previous_version), made once in Java, so that an agent's
  -- envelope is written by one statement at its first message.
  message              bytea       NOT NULL,
  previous_message     bytea,
  created_at           timestamptz NOT NULL DEFAULT now(),
  created_by           text        NOT NULL,
  updated_at           timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (configuration, version) REFERENCES configuration_versions (name, version)
);

-- The rollout that moves an assignment from one version to the next names it.
ALTER TABLE rollouts ADD COLUMN assignment text;

-- An agent-level remote config set by an operator: it beats every assignment until cleared.
CREATE TABLE config_overrides (
  instance_uid text        PRIMARY KEY,
  envelope_id  uuid,
  set_at       timestamptz NOT NULL DEFAULT now(),
  set_by       text        NOT NULL
);

-- Existence terms of selectors (gpu, !legacy) use ?, which the jsonb_path_ops indexes cannot
-- serve: jsonb_ops indexes on labels and on each kind of attribute.
CREATE INDEX agents_label_keys ON agents USING gin (labels);
CREATE INDEX agents_identifying_attribute_keys ON agents USING gin ((description->'identifying_attributes'));
CREATE INDEX agents_non_identifying_attribute_keys ON agents USING gin ((description->'non_identifying_attributes'));

-- One selector term against one or two objects of strings (labels; or identifying and
-- non-identifying attributes, either of which may satisfy it). Negative terms are the negation of
-- the positive ones, so a missing key satisfies notin and !exists, as in Kubernetes.
CREATE FUNCTION switchboard_term_holds(term jsonb, first jsonb, second jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE term->>'op'
    WHEN 'exists' THEN coalesce(first ? (term->>'key'), false) OR coalesce(second ? (term->>'key'), false)
    WHEN '!exists' THEN NOT (coalesce(first ? (term->>'key'), false) OR coalesce(second ? (term->>'key'), false))
    WHEN 'in' THEN coalesce(term->'values' ? (first->>(term->>'key')), false)
                   OR coalesce(term->'values' ? (second->>(term->>'key')), false)
    WHEN 'notin' THEN NOT (coalesce(term->'values' ? (first->>(term->>'key')), false)
                           OR coalesce(term->'values' ? (second->>(term->>'key')), false))
    ELSE false
  END
$$;

-- Whether a stored selector (assignments.selector) matches an agent's labels and description.
CREATE FUNCTION switchboard_selector_matches(selector jsonb, labels jsonb, description jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce((SELECT bool_and(switchboard_term_holds(t, labels, NULL))
                   FROM jsonb_array_elements(selector->'labels') t), true)
     AND coalesce((SELECT bool_and(switchboard_term_holds(t, description->'identifying_attributes',
                                                         description->'non_identifying_attributes'))
                   FROM jsonb_array_elements(selector->'attributes') t), true)
$$;
