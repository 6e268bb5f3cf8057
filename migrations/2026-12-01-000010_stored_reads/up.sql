-- Reads that cost the same at any size. Every write already stores the API representation of each
-- record it changed as a revision; reads now answer from those representations instead of
-- assembling them from the tables again (one index lookup for a record, one per page for a list).

-- Each revision holds from `changed_at` until `valid_until`, the moment the next version of its
-- record was written (null while it is the current one). A read `as_of` a moment takes the
-- revisions whose interval holds it, walking an index in record order.
ALTER TABLE revisions ADD COLUMN valid_until timestamptz;
UPDATE revisions r SET valid_until = n.changed_at
  FROM revisions n
 WHERE n.entity = r.entity AND n.record_id = r.record_id AND n.version = r.version + 1;

-- A representation is kept as the text the service wrote (json, not jsonb): a read sends it as
-- it is, in the order of its fields, where jsonb would be printed anew at every read (it cost
-- about 100 microseconds for each commitment of a page). Filters on it cast it to jsonb.
ALTER TABLE revisions ALTER COLUMN after TYPE json USING after::json,
                      ALTER COLUMN before TYPE json USING before::json;

-- A stored representation as the text a read answers, and the reason of its retraction (null
-- while the record is live): functions, so that the statements reading them are the same text
-- every time and PostgreSQL keeps them prepared.
CREATE FUNCTION revision_body(r json) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT r::text $$;
CREATE FUNCTION revision_retraction(r json) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN r ->> 'retracted' IS NULL THEN NULL
                ELSE coalesce(r #>> '{retracted,reason}', '') END
$$;

-- Nearly every revision shows a live record; without this the planner takes the filter on
-- `retracted` for a rare one and sorts a whole kind's revisions instead of walking them in order.
CREATE STATISTICS revisions_retracted_stats ON (after ->> 'retracted') FROM revisions;

-- The current version of each record: one index step for a detail, its version for `ETag`.
CREATE UNIQUE INDEX revisions_current_idx ON revisions (entity, record_id) INCLUDE (version)
    WHERE valid_until IS NULL;
-- The unique (entity, record_id, version) index serves the same lookups, walked either way.
DROP INDEX revisions_entity_record_version_idx;

-- The words of a revision, as the record's own table indexes them (the same fields, the same
-- English configuration): `q` with `as_of` matches what `q` matches live, through an index,
-- without reading any text at request time. A current revision's words are its record's own
-- (the table's search_vector); they are kept in the revision when a newer version closes it.
CREATE FUNCTION revision_search_vector(entity text, r json) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE entity
        WHEN 'commitments' THEN to_tsvector('english', coalesce(r ->> 'summary', '') || ' ' || coalesce(r ->> 'conditions', '')
            || ' ' || coalesce(r #>> '{quantity,text}', '') || ' ' || coalesce(r #>> '{quantity,unit}', ''))
        WHEN 'statements' THEN to_tsvector('english', coalesce(r ->> 'summary', '') || ' ' || coalesce(r ->> 'quote', '')
            || ' ' || coalesce(r ->> 'attribution', ''))
        WHEN 'claims' THEN to_tsvector('english', coalesce(r ->> 'description', '') || ' ' || coalesce(r ->> 'unit', '')
            || ' ' || coalesce(r ->> 'period', '') || ' ' || coalesce(r ->> 'location', ''))
        WHEN 'events' THEN to_tsvector('english', coalesce(r ->> 'title', '') || ' ' || coalesce(r ->> 'description', '')
            || ' ' || coalesce(r ->> 'location', '') || ' ' || coalesce(r ->> 'attendance', ''))
        WHEN 'sources' THEN to_tsvector('english', coalesce(r ->> 'title', '') || ' ' || coalesce(r ->> 'text', ''))
    END
$$;
ALTER TABLE revisions ADD COLUMN search_vector tsvector;
UPDATE revisions SET search_vector = revision_search_vector(entity, after) WHERE valid_until IS NOT NULL;
CREATE INDEX revisions_search_idx ON revisions USING gin (search_vector) WHERE search_vector IS NOT NULL;

-- A nation's records as they were at a moment (`as_of` with `nation`, or a nation's lists) walk
-- the revisions of that nation's records alone, in record order.
-- The nation is read out of the representation once, when the revision is written.
ALTER TABLE revisions ADD COLUMN nation text;
UPDATE revisions SET nation = after ->> 'nation' WHERE after ->> 'nation' IS NOT NULL;
CREATE INDEX revisions_nation_idx ON revisions (entity, nation, record_id) WHERE nation IS NOT NULL;

-- A new version closes the interval of the one before it, whoever writes it (the API, the seed,
-- an import, the generator), so the intervals can never disagree with the versions.
CREATE FUNCTION revisions_close_previous() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE revisions SET valid_until = NEW.changed_at, search_vector = revision_search_vector(entity, after)
     WHERE entity = NEW.entity AND record_id = NEW.record_id AND valid_until IS NULL;
    NEW.valid_until := NULL;
    NEW.search_vector := NULL;
    NEW.nation := NEW.after ->> 'nation';
    RETURN NEW;
END $$;
CREATE TRIGGER revisions_close_previous BEFORE INSERT ON revisions
    FOR EACH ROW EXECUTE FUNCTION revisions_close_previous();

-- How many writing transactions have committed: each one that stores a revision counts itself
-- once, as it commits (a deferred trigger), under the row's lock, so that the count follows the
-- order of commits. Two reads that see the same count see the same knowledge base: the tags of
-- lists and other derived answers are made from it.
CREATE TABLE changes (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    n   bigint NOT NULL
);
INSERT INTO changes VALUES (true, 0);
CREATE FUNCTION changes_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('alliance_kb.counted', true) = txid_current()::text THEN
        RETURN NULL;
    END IF;
    PERFORM set_config('alliance_kb.counted', txid_current()::text, true);
    UPDATE changes SET n = n + 1;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER revisions_count_changes AFTER INSERT ON revisions
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION changes_count();

-- The changes feed walks revisions in the order of their time, from a moment on.
DROP INDEX revisions_changed_at_idx;
CREATE INDEX revisions_changed_at_id_idx ON revisions (changed_at, id);

-- Indexes of columns that are null in most rows index only the rows that have a value: a
-- citation supports one kind of fact, so it needs a place in two of its indexes, not seven.
DROP INDEX citations_commitment_id_idx, citations_status_change_id_idx, citations_statement_id_idx,
    citations_event_id_idx, citations_claim_id_idx, citations_competing_value_id_idx, revisions_key_id_idx;
CREATE INDEX citations_commitment_id_idx ON citations (commitment_id) WHERE commitment_id IS NOT NULL;
CREATE INDEX citations_status_change_id_idx ON citations (status_change_id) WHERE status_change_id IS NOT NULL;
CREATE INDEX citations_statement_id_idx ON citations (statement_id) WHERE statement_id IS NOT NULL;
CREATE INDEX citations_event_id_idx ON citations (event_id) WHERE event_id IS NOT NULL;
CREATE INDEX citations_claim_id_idx ON citations (claim_id) WHERE claim_id IS NOT NULL;
CREATE INDEX citations_competing_value_id_idx ON citations (competing_value_id) WHERE competing_value_id IS NOT NULL;
CREATE INDEX revisions_key_id_idx ON revisions (key_id) WHERE key_id IS NOT NULL;
-- (nation_code, kind, id) serves every lookup by nation; (kind, status, id) the lists of a kind
-- at a status, which would otherwise walk every commitment to fill a page.
DROP INDEX commitments_nation_code_idx;
CREATE INDEX commitments_kind_status_id_idx ON commitments (kind, status, id) WHERE retracted_at IS NULL;

-- Flags the list filters read, kept by the database when what they summarise changes, instead of
-- being computed over every status change or competing value on each read.
ALTER TABLE commitments ADD COLUMN steps_inferred boolean NOT NULL DEFAULT false;
UPDATE commitments c SET steps_inferred = true
 WHERE EXISTS (SELECT 1 FROM commitment_status_changes s WHERE s.commitment_id = c.id AND s.inferred);

CREATE FUNCTION commitments_follow_steps_inferred() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE commitments c SET steps_inferred = EXISTS (
        SELECT 1 FROM commitment_status_changes s WHERE s.commitment_id = c.id AND s.inferred)
     WHERE c.id = NEW.commitment_id;
    RETURN NULL;
END $$;
CREATE TRIGGER commitments_follow_steps_inferred AFTER INSERT OR UPDATE OF basis ON commitment_status_changes
    FOR EACH ROW EXECUTE FUNCTION commitments_follow_steps_inferred();

ALTER TABLE commitments ADD COLUMN disputed boolean NOT NULL DEFAULT false;
ALTER TABLE statements ADD COLUMN disputed boolean NOT NULL DEFAULT false;
ALTER TABLE events ADD COLUMN disputed boolean NOT NULL DEFAULT false;
ALTER TABLE claims ADD COLUMN disputed boolean NOT NULL DEFAULT false;
UPDATE commitments t SET disputed = true WHERE EXISTS (
    SELECT 1 FROM competing_values v WHERE v.commitment_id = t.id AND v.retracted_at IS NULL);
UPDATE statements t SET disputed = true WHERE EXISTS (
    SELECT 1 FROM competing_values v WHERE v.statement_id = t.id AND v.retracted_at IS NULL);
UPDATE events t SET disputed = true WHERE EXISTS (
    SELECT 1 FROM competing_values v WHERE v.event_id = t.id AND v.retracted_at IS NULL);
UPDATE claims t SET disputed = true WHERE EXISTS (
    SELECT 1 FROM competing_values v WHERE v.claim_id = t.id AND v.retracted_at IS NULL);

CREATE FUNCTION facts_follow_competing_values() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.commitment_id IS NOT NULL THEN
        UPDATE commitments t SET disputed = EXISTS (SELECT 1 FROM competing_values v
            WHERE v.commitment_id = t.id AND v.retracted_at IS NULL) WHERE t.id = NEW.commitment_id;
    ELSIF NEW.statement_id IS NOT NULL THEN
        UPDATE statements t SET disputed = EXISTS (SELECT 1 FROM competing_values v
            WHERE v.statement_id = t.id AND v.retracted_at IS NULL) WHERE t.id = NEW.statement_id;
    ELSIF NEW.event_id IS NOT NULL THEN
        UPDATE events t SET disputed = EXISTS (SELECT 1 FROM competing_values v
            WHERE v.event_id = t.id AND v.retracted_at IS NULL) WHERE t.id = NEW.event_id;
    ELSIF NEW.claim_id IS NOT NULL THEN
        UPDATE claims t SET disputed = EXISTS (SELECT 1 FROM competing_values v
            WHERE v.claim_id = t.id AND v.retracted_at IS NULL) WHERE t.id = NEW.claim_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER facts_follow_competing_values AFTER INSERT OR UPDATE OF retracted_at ON competing_values
    FOR EACH ROW EXECUTE FUNCTION facts_follow_competing_values();
-- Disputed facts are few: `disputed=true` walks these instead of every fact.
CREATE INDEX commitments_disputed_idx ON commitments (id) WHERE disputed;
CREATE INDEX statements_disputed_idx ON statements (id) WHERE disputed;
CREATE INDEX events_disputed_idx ON events (id) WHERE disputed;
CREATE INDEX claims_disputed_idx ON claims (id) WHERE disputed;

-- A revision that stores a record anew because the service now represents it differently (a new
-- field), not because the record changed.
ALTER TABLE revisions DROP CONSTRAINT revisions_action_check;
ALTER TABLE revisions ADD CONSTRAINT revisions_action_check
    CHECK (action IN ('create', 'update', 'status', 'retract', 'cite', 'dispute', 'refresh'));

-- Which shape of representation the stored revisions have: when the service's code represents
-- records differently (a new field), it stores new revisions of every record before serving.
CREATE TABLE kb_meta (
    key   text PRIMARY KEY,
    value text NOT NULL
);
