-- Stated or inferred: every value a source does not state in so many words (a date from the
-- article's framing, a range from vague words, a link to an event, a speaker, a stance, a role)
-- carries its basis, per field: `stated` with the citation that states it, or `inferred` with a
-- note of the reasoning and who inferred it. The vocabulary grows to say what the words say:
-- `endorsed`, and a status change's modality (`announced` or `effective`).

-- A basis map: {"<field>": {"basis": "stated", "citation_id": 12}
--              | {"basis": "inferred", "note": "...", "inferred_by": "seed" | "rule" | "key:<id>" | "migration"}}
CREATE FUNCTION basis_is_valid(b jsonb) RETURNS boolean LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT jsonb_typeof(b) = 'object' AND NOT EXISTS (
        SELECT 1 FROM jsonb_each(b) AS e(field, entry)
        WHERE NOT (
            jsonb_typeof(entry) = 'object'
            AND (
                (entry ->> 'basis' = 'stated' AND jsonb_typeof(entry -> 'citation_id') = 'number'
                    AND (SELECT count(*) FROM jsonb_object_keys(entry)) = 2)
                OR (entry ->> 'basis' = 'inferred' AND coalesce(btrim(entry ->> 'note'), '') <> ''
                    AND coalesce(entry ->> 'inferred_by', '') <> ''
                    AND (SELECT count(*) FROM jsonb_object_keys(entry)) = 3)
            )
        )
    )
$$;

ALTER TABLE commitments ADD COLUMN basis jsonb NOT NULL DEFAULT '{}'
    CONSTRAINT commitments_basis_valid CHECK (basis_is_valid(basis));
ALTER TABLE commitment_status_changes ADD COLUMN basis jsonb NOT NULL DEFAULT '{}'
    CONSTRAINT commitment_status_changes_basis_valid CHECK (basis_is_valid(basis));
ALTER TABLE statements ADD COLUMN basis jsonb NOT NULL DEFAULT '{}'
    CONSTRAINT statements_basis_valid CHECK (basis_is_valid(basis));
ALTER TABLE events ADD COLUMN basis jsonb NOT NULL DEFAULT '{}'
    CONSTRAINT events_basis_valid CHECK (basis_is_valid(basis));
ALTER TABLE claims ADD COLUMN basis jsonb NOT NULL DEFAULT '{}'
    CONSTRAINT claims_basis_valid CHECK (basis_is_valid(basis));

-- Whether any value of the row is an inference: what `basis=stated|inferred` filters on.
ALTER TABLE commitments ADD COLUMN inferred boolean NOT NULL
    GENERATED ALWAYS AS (jsonb_path_exists(basis, '$.* ? (@.basis == "inferred")')) STORED;
ALTER TABLE commitment_status_changes ADD COLUMN inferred boolean NOT NULL
    GENERATED ALWAYS AS (jsonb_path_exists(basis, '$.* ? (@.basis == "inferred")')) STORED;
ALTER TABLE statements ADD COLUMN inferred boolean NOT NULL
    GENERATED ALWAYS AS (jsonb_path_exists(basis, '$.* ? (@.basis == "inferred")')) STORED;
ALTER TABLE events ADD COLUMN inferred boolean NOT NULL
    GENERATED ALWAYS AS (jsonb_path_exists(basis, '$.* ? (@.basis == "inferred")')) STORED;
ALTER TABLE claims ADD COLUMN inferred boolean NOT NULL
    GENERATED ALWAYS AS (jsonb_path_exists(basis, '$.* ? (@.basis == "inferred")')) STORED;

-- Values recorded before bases were kept say so, rather than passing for the source's word.
CREATE FUNCTION basis_unchecked() RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
    SELECT '{"basis": "inferred", "note": "recorded before the basis of values was kept; not yet checked against its sources", "inferred_by": "migration"}'::jsonb
$$;
UPDATE commitments SET basis = jsonb_strip_nulls(jsonb_build_object(
    'announced_on', CASE WHEN announced_on IS NOT NULL THEN basis_unchecked() END,
    'announced_by', CASE WHEN announced_by IS NOT NULL THEN basis_unchecked() END,
    'event_id', CASE WHEN event_id IS NOT NULL THEN basis_unchecked() END,
    'quantity', CASE WHEN quantity_min IS NOT NULL OR quantity_max IS NOT NULL THEN basis_unchecked() END));
UPDATE commitment_status_changes SET basis = jsonb_strip_nulls(jsonb_build_object(
    'changed_on', CASE WHEN changed_on IS NOT NULL THEN basis_unchecked() END));
UPDATE statements SET basis = jsonb_strip_nulls(jsonb_build_object(
    'said_on', CASE WHEN said_on IS NOT NULL THEN basis_unchecked() END,
    'speaker', CASE WHEN speaker_id IS NOT NULL THEN basis_unchecked() END,
    'event_id', CASE WHEN event_id IS NOT NULL THEN basis_unchecked() END));
UPDATE events SET basis = jsonb_strip_nulls(jsonb_build_object(
    'occurred_on', CASE WHEN occurred_on IS NOT NULL THEN basis_unchecked() END,
    'participants', CASE WHEN EXISTS (SELECT 1 FROM event_participants p WHERE p.event_id = events.id) THEN basis_unchecked() END));
UPDATE claims SET basis = jsonb_strip_nulls(jsonb_build_object(
    'reported_on', CASE WHEN reported_on IS NOT NULL THEN basis_unchecked() END,
    'event_id', CASE WHEN event_id IS NOT NULL THEN basis_unchecked() END));
DROP FUNCTION basis_unchecked();

-- `endorsed`: backed in words, with no contribution of its own specified.
ALTER TABLE commitments DROP CONSTRAINT commitments_status_check;
ALTER TABLE commitments ADD CONSTRAINT commitments_status_check
    CHECK (status IN ('proposed', 'pledged', 'in_progress', 'delivered', 'refused', 'withdrawn', 'omitted', 'endorsed'));
ALTER TABLE commitment_status_changes DROP CONSTRAINT commitment_status_changes_status_check;
ALTER TABLE commitment_status_changes ADD CONSTRAINT commitment_status_changes_status_check
    CHECK (status IN ('proposed', 'pledged', 'in_progress', 'delivered', 'refused', 'withdrawn', 'omitted', 'endorsed'));

-- Whether the source says the change will happen (`announced`: "would stop funding") or that it
-- happened (`effective`).
ALTER TABLE commitment_status_changes ADD COLUMN modality text NOT NULL DEFAULT 'effective'
    CHECK (modality IN ('announced', 'effective'));
