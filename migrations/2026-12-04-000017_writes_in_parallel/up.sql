-- Writes that do not wait for each other, and cost less of the server.

-- The count of committed writes (what derived ETags are made from) is kept in 64 slots instead of
-- one row: a transaction counts itself in the slot of its transaction id, so two writers wait for
-- each other's commit only when their ids share a slot, not always (one row serialised every
-- commit behind the one before it, WAL flush included). The state a read sees is the sum: a later
-- snapshot sees every transaction an earlier one saw, and each writing transaction adds exactly
-- one, so two snapshots with the same sum see the same committed writes.
ALTER TABLE changes DROP CONSTRAINT changes_pkey, DROP CONSTRAINT changes_one_check;
ALTER TABLE changes ADD COLUMN slot smallint;
UPDATE changes SET slot = 0;
ALTER TABLE changes DROP COLUMN one, ALTER COLUMN slot SET NOT NULL, ADD PRIMARY KEY (slot),
    ADD CONSTRAINT changes_slot_check CHECK (slot BETWEEN 0 AND 63);
INSERT INTO changes (slot, n) SELECT s, 0 FROM generate_series(1, 63) AS s;

CREATE OR REPLACE FUNCTION changes_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('alliance_kb.counted', true) = txid_current()::text THEN
        RETURN NULL;
    END IF;
    PERFORM set_config('alliance_kb.counted', txid_current()::text, true);
    UPDATE changes SET n = n + 1 WHERE slot = txid_current() % 64;
    RETURN NULL;
END $$;

-- The nation a citation counts for, in plpgsql: each branch's statement is planned once per
-- session (as a SQL function it was parsed and planned at every call, 0.6 ms of each write).
CREATE OR REPLACE FUNCTION citation_nation(c citations) RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
    nation text;
BEGIN
    IF c.commitment_id IS NOT NULL THEN
        SELECT nation_code INTO nation FROM commitments WHERE id = c.commitment_id AND retracted_at IS NULL;
    ELSIF c.status_change_id IS NOT NULL THEN
        SELECT m.nation_code INTO nation FROM commitment_status_changes s JOIN commitments m ON m.id = s.commitment_id
         WHERE s.id = c.status_change_id AND m.retracted_at IS NULL;
    ELSIF c.statement_id IS NOT NULL THEN
        SELECT nation_code INTO nation FROM statements WHERE id = c.statement_id AND retracted_at IS NULL;
    END IF;
    RETURN nation;
END $$;

-- The same rule for a basis map, without a subquery per entry: a plpgsql loop whose expressions
-- take the fast path, instead of a SQL function planned anew for every row checked. An entry
-- holds exactly its keys: `stated` with a numeric citation_id; `inferred` with a note that is not
-- blank and who inferred it.
CREATE OR REPLACE FUNCTION basis_is_valid(b jsonb) RETURNS boolean LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    entry jsonb;
BEGIN
    IF jsonb_typeof(b) IS DISTINCT FROM 'object' THEN
        RETURN false;
    END IF;
    FOR entry IN SELECT e.value FROM jsonb_each(b) AS e LOOP
        IF jsonb_typeof(entry) IS DISTINCT FROM 'object' THEN
            RETURN false;
        ELSIF entry ->> 'basis' = 'stated' THEN
            IF jsonb_typeof(entry -> 'citation_id') IS DISTINCT FROM 'number'
               OR entry - 'basis' - 'citation_id' <> '{}'::jsonb THEN
                RETURN false;
            END IF;
        ELSIF entry ->> 'basis' = 'inferred' THEN
            IF coalesce(btrim(entry ->> 'note'), '') = '' OR coalesce(entry ->> 'inferred_by', '') = ''
               OR entry - 'basis' - 'note' - 'inferred_by' <> '{}'::jsonb THEN
                RETURN false;
            END IF;
        ELSE
            RETURN false;
        END IF;
    END LOOP;
    RETURN true;
END $$;

-- "Every fact has a citation, every commitment a status history", checked at commit: the pairs
-- the schema declares are static statements, planned once per session (EXECUTE planned both of
-- its queries at every call); any other pair still works, dynamically.
CREATE OR REPLACE FUNCTION require_child_row() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    still_there boolean;
    has_child   boolean;
BEGIN
    CASE TG_TABLE_NAME || '.' || TG_ARGV[0] || '.' || TG_ARGV[1]
        WHEN 'commitments.citations.commitment_id' THEN
            still_there := EXISTS (SELECT 1 FROM commitments WHERE id = NEW.id);
            has_child := EXISTS (SELECT 1 FROM citations WHERE commitment_id = NEW.id);
        WHEN 'commitments.commitment_status_changes.commitment_id' THEN
            still_there := EXISTS (SELECT 1 FROM commitments WHERE id = NEW.id);
            has_child := EXISTS (SELECT 1 FROM commitment_status_changes WHERE commitment_id = NEW.id);
        WHEN 'commitment_status_changes.citations.status_change_id' THEN
            still_there := EXISTS (SELECT 1 FROM commitment_status_changes WHERE id = NEW.id);
            has_child := EXISTS (SELECT 1 FROM citations WHERE status_change_id = NEW.id);
        WHEN 'statements.citations.statement_id' THEN
            still_there := EXISTS (SELECT 1 FROM statements WHERE id = NEW.id);
            has_child := EXISTS (SELECT 1 FROM citations WHERE statement_id = NEW.id);
        WHEN 'events.citations.event_id' THEN
            still_there := EXISTS (SELECT 1 FROM events WHERE id = NEW.id);
            has_child := EXISTS (SELECT 1 FROM citations WHERE event_id = NEW.id);
        WHEN 'claims.citations.claim_id' THEN
            still_there := EXISTS (SELECT 1 FROM claims WHERE id = NEW.id);
            has_child := EXISTS (SELECT 1 FROM citations WHERE claim_id = NEW.id);
        WHEN 'competing_values.citations.competing_value_id' THEN
            still_there := EXISTS (SELECT 1 FROM competing_values WHERE id = NEW.id);
            has_child := EXISTS (SELECT 1 FROM citations WHERE competing_value_id = NEW.id);
        ELSE
            EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE id = $1)', TG_TABLE_NAME) INTO still_there USING NEW.id;
            IF still_there THEN
                EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE %I = $1)', TG_ARGV[0], TG_ARGV[1])
                    INTO has_child USING NEW.id;
            END IF;
    END CASE;
    IF still_there AND NOT has_child THEN
        RAISE EXCEPTION '% % has no row in %', TG_TABLE_NAME, NEW.id, TG_ARGV[0]
            USING ERRCODE = 'check_violation', CONSTRAINT = TG_TABLE_NAME || '_require_' || TG_ARGV[0];
    END IF;
    RETURN NULL;
END $$;

-- A new step of a commitment's history sets its status and whether any step is inferred in one
-- update, and none when both already hold (a new commitment's first step, which the insert of
-- the commitment already states): each update of a commitment writes a row version and runs its
-- triggers again.
CREATE OR REPLACE FUNCTION commitment_status_follows_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE commitments
       SET status = NEW.status, status_modality = NEW.modality, status_changed_on = NEW.changed_on,
           steps_inferred = steps_inferred OR NEW.inferred
     WHERE id = NEW.commitment_id
       AND ((status, status_modality, status_changed_on) IS DISTINCT FROM (NEW.status, NEW.modality, NEW.changed_on)
            OR (NEW.inferred AND NOT steps_inferred));
    RETURN NULL;
END $$;
DROP TRIGGER commitments_follow_steps_inferred ON commitment_status_changes;
CREATE TRIGGER commitments_follow_steps_inferred AFTER UPDATE OF basis ON commitment_status_changes
    FOR EACH ROW WHEN (OLD.inferred IS DISTINCT FROM NEW.inferred)
    EXECUTE FUNCTION commitments_follow_steps_inferred();

-- The fold of a transaction's tally changes fires once per queued change; the first takes them
-- all. It notes the last change it took, so the firings of changes it took already return at
-- once instead of looking again (a change queued later, after a fold run early by SET
-- CONSTRAINTS, is still folded by its own firing).
CREATE OR REPLACE FUNCTION tally_deltas_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    d record;
    folded text := current_setting('alliance_kb.folded', true);
    last bigint := 0;
BEGIN
    IF folded IS NOT NULL AND folded <> '' AND split_part(folded, ':', 1) = txid_current()::text
       AND NEW.id <= split_part(folded, ':', 2)::bigint THEN
        RETURN NULL;
    END IF;
    FOR d IN
        WITH taken AS (DELETE FROM tally_deltas WHERE txid = txid_current() RETURNING *)
        SELECT tally, event_id, nation_code, kind, status, source_id, sum(delta) AS delta, max(id) AS last
          FROM taken
         GROUP BY tally, event_id, nation_code, kind, status, source_id
         ORDER BY tally, event_id, nation_code, kind, status, source_id
    LOOP
        last := greatest(last, d.last);
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
    IF last > 0 THEN
        PERFORM set_config('alliance_kb.folded', txid_current()::text || ':' || last::text, true);
    END IF;
    RETURN NULL;
END $$;
