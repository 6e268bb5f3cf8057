CREATE OR REPLACE FUNCTION tally_deltas_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    d record;
BEGIN
    -- The first firing of a transaction folds all its changes; the others find none.
    FOR d IN
        WITH taken AS (DELETE FROM tally_deltas WHERE txid = txid_current() RETURNING *)
        SELECT tally, event_id, nation_code, kind, status, source_id, sum(delta) AS delta FROM taken
         GROUP BY tally, event_id, nation_code, kind, status, source_id
         ORDER BY tally, event_id, nation_code, kind, status, source_id
    LOOP
        IF d.tally = 0 THEN
            INSERT INTO commitment_tallies AS t VALUES (d.event_id, d.nation_code, d.kind, d.status, greatest(d.delta, 0))
                ON CONFLICT (event_id, nation_code, kind, status) DO UPDATE SET n = t.n + d.delta;
        ELSIF d.tally = 1 THEN
            INSERT INTO statement_tallies AS t VALUES (d.nation_code, greatest(d.delta, 0))
                ON CONFLICT (nation_code) DO UPDATE SET n = t.n + d.delta;
        ELSE
            INSERT INTO source_tallies AS t VALUES (d.nation_code, d.source_id, greatest(d.delta, 0))
                ON CONFLICT (nation_code, source_id) DO UPDATE SET n = t.n + d.delta;
        END IF;
    END LOOP;
    RETURN NULL;
END $$;

DROP TRIGGER commitments_follow_steps_inferred ON commitment_status_changes;
CREATE TRIGGER commitments_follow_steps_inferred AFTER INSERT OR UPDATE OF basis ON commitment_status_changes
    FOR EACH ROW EXECUTE FUNCTION commitments_follow_steps_inferred();
CREATE OR REPLACE FUNCTION commitment_status_follows_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE commitments SET status = NEW.status, status_modality = NEW.modality, status_changed_on = NEW.changed_on
     WHERE id = NEW.commitment_id;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION require_child_row() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    still_there boolean;
    has_child   boolean;
BEGIN
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE id = $1)', TG_TABLE_NAME) INTO still_there USING NEW.id;
    IF NOT still_there THEN
        RETURN NULL;
    END IF;
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE %I = $1)', TG_ARGV[0], TG_ARGV[1]) INTO has_child USING NEW.id;
    IF NOT has_child THEN
        RAISE EXCEPTION '% % has no row in %', TG_TABLE_NAME, NEW.id, TG_ARGV[0]
            USING ERRCODE = 'check_violation', CONSTRAINT = TG_TABLE_NAME || '_require_' || TG_ARGV[0];
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION basis_is_valid(b jsonb) RETURNS boolean LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
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

CREATE OR REPLACE FUNCTION citation_nation(c citations) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN c.commitment_id IS NOT NULL THEN
            (SELECT nation_code FROM commitments WHERE id = c.commitment_id AND retracted_at IS NULL)
        WHEN c.status_change_id IS NOT NULL THEN
            (SELECT m.nation_code FROM commitment_status_changes s JOIN commitments m ON m.id = s.commitment_id
              WHERE s.id = c.status_change_id AND m.retracted_at IS NULL)
        WHEN c.statement_id IS NOT NULL THEN
            (SELECT nation_code FROM statements WHERE id = c.statement_id AND retracted_at IS NULL)
    END
$$;

CREATE OR REPLACE FUNCTION changes_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('alliance_kb.counted', true) = txid_current()::text THEN
        RETURN NULL;
    END IF;
    PERFORM set_config('alliance_kb.counted', txid_current()::text, true);
    UPDATE changes SET n = n + 1;
    RETURN NULL;
END $$;
CREATE TABLE changes_one AS SELECT sum(n)::bigint AS n FROM changes;
DROP TABLE changes;
CREATE TABLE changes (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    n   bigint NOT NULL
);
INSERT INTO changes (one, n) SELECT true, n FROM changes_one;
DROP TABLE changes_one;
