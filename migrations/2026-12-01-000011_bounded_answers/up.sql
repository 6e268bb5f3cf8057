-- Answers that summarise many records (a nation's profile, the divisions matrix, the timeline)
-- read a bounded number of rows whatever the size of the knowledge base: what they summarise is
-- kept up to date by the database as the facts change (the incremental triggers below), and can
-- be rebuilt from the facts at once (the *_rebuild functions, used after bulk loads; a test checks
-- that both give the same rows).

-- 1. Each commitment's current status step beside its status: its modality and date, and the
-- rank the divisions matrix orders a cell's commitments by (effective over announced, then the
-- later date, a dated step over an undated one).
ALTER TABLE commitments
    ADD COLUMN status_modality text NOT NULL DEFAULT 'effective' CHECK (status_modality IN ('announced', 'effective')),
    ADD COLUMN status_changed_on date;
UPDATE commitments c SET status_modality = s.modality, status_changed_on = s.changed_on
  FROM (SELECT DISTINCT ON (commitment_id) commitment_id, modality, changed_on
          FROM commitment_status_changes ORDER BY commitment_id, id DESC) s
 WHERE s.commitment_id = c.id;
ALTER TABLE commitments ADD COLUMN cell_rank bigint NOT NULL GENERATED ALWAYS AS (
    CASE WHEN status_modality = 'effective' THEN 10000000000 ELSE 0 END
    + coalesce(status_changed_on - DATE '4713-11-24 BC' + 1, 0)) STORED;

CREATE OR REPLACE FUNCTION commitment_status_follows_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE commitments SET status = NEW.status, status_modality = NEW.modality, status_changed_on = NEW.changed_on
     WHERE id = NEW.commitment_id;
    RETURN NULL;
END $$;

-- A cell of the matrix (a nation and a kind, of every commitment or of one event's) is read in
-- rank order from these.
CREATE INDEX commitments_cell_idx ON commitments (nation_code, kind, cell_rank DESC, status, id)
    WHERE retracted_at IS NULL;
CREATE INDEX commitments_event_cell_idx ON commitments (event_id, nation_code, kind, cell_rank DESC, status, id)
    WHERE retracted_at IS NULL AND event_id IS NOT NULL;

-- 2. Tallies: live commitments by nation, kind and current status, of all of them (event_id 0)
-- and of each event's; live statements by nation; citations of a nation's live commitments,
-- their status steps and its live statements, by source.
CREATE TABLE commitment_tallies (
    event_id    bigint NOT NULL,
    nation_code text NOT NULL,
    kind        text NOT NULL,
    status      text NOT NULL,
    n           bigint NOT NULL CHECK (n >= 0),
    PRIMARY KEY (event_id, nation_code, kind, status)
);
CREATE TABLE statement_tallies (
    nation_code text PRIMARY KEY,
    n           bigint NOT NULL CHECK (n >= 0)
);
CREATE TABLE source_tallies (
    nation_code text NOT NULL,
    source_id   bigint NOT NULL,
    n           bigint NOT NULL CHECK (n >= 0),
    PRIMARY KEY (nation_code, source_id)
);
CREATE INDEX source_tallies_most_cited_idx ON source_tallies (nation_code, n DESC, source_id);

CREATE FUNCTION tally_commitment(nation text, kind_ text, status_ text, event bigint, delta integer)
    RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO commitment_tallies AS t VALUES (0, nation, kind_, status_, greatest(delta, 0))
        ON CONFLICT (event_id, nation_code, kind, status) DO UPDATE SET n = t.n + delta;
    IF event IS NOT NULL THEN
        INSERT INTO commitment_tallies AS t VALUES (event, nation, kind_, status_, greatest(delta, 0))
            ON CONFLICT (event_id, nation_code, kind, status) DO UPDATE SET n = t.n + delta;
    END IF;
END $$;

CREATE FUNCTION tally_sources(nation text, sources bigint[], delta integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    source bigint;
    cited bigint;
BEGIN
    IF nation IS NULL OR sources IS NULL THEN
        RETURN;
    END IF;
    FOR source, cited IN SELECT u.source_id, count(*) FROM unnest(sources) AS u(source_id) GROUP BY u.source_id LOOP
        INSERT INTO source_tallies AS t VALUES (nation, source, greatest(delta * cited, 0))
            ON CONFLICT (nation_code, source_id) DO UPDATE SET n = t.n + delta * cited;
    END LOOP;
END $$;

-- The sources of the live citations of a commitment and its status steps, one per citation.
CREATE FUNCTION commitment_citation_sources(commitment bigint) RETURNS bigint[] LANGUAGE sql STABLE AS $$
    SELECT array_agg(source_id) FROM (
        SELECT source_id FROM citations WHERE commitment_id = commitment AND retracted_at IS NULL
        UNION ALL
        SELECT ci.source_id FROM commitment_status_changes s JOIN citations ci ON ci.status_change_id = s.id
         WHERE s.commitment_id = commitment AND ci.retracted_at IS NULL) c
$$;

CREATE FUNCTION commitments_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.retracted_at IS NULL THEN
        PERFORM tally_commitment(OLD.nation_code, OLD.kind, OLD.status, OLD.event_id, -1);
    END IF;
    IF NEW.retracted_at IS NULL THEN
        PERFORM tally_commitment(NEW.nation_code, NEW.kind, NEW.status, NEW.event_id, 1);
    END IF;
    IF TG_OP = 'UPDATE' AND (OLD.nation_code, OLD.retracted_at IS NULL) IS DISTINCT FROM (NEW.nation_code, NEW.retracted_at IS NULL) THEN
        IF OLD.retracted_at IS NULL THEN
            PERFORM tally_sources(OLD.nation_code, commitment_citation_sources(OLD.id), -1);
        END IF;
        IF NEW.retracted_at IS NULL THEN
            PERFORM tally_sources(NEW.nation_code, commitment_citation_sources(NEW.id), 1);
        END IF;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER commitments_tally_insert AFTER INSERT ON commitments
    FOR EACH ROW EXECUTE FUNCTION commitments_tally();
CREATE TRIGGER commitments_tally_update AFTER UPDATE OF nation_code, kind, status, event_id, retracted_at ON commitments
    FOR EACH ROW WHEN ((OLD.nation_code, OLD.kind, OLD.status, OLD.event_id, OLD.retracted_at IS NULL)
                       IS DISTINCT FROM (NEW.nation_code, NEW.kind, NEW.status, NEW.event_id, NEW.retracted_at IS NULL))
    EXECUTE FUNCTION commitments_tally();

CREATE FUNCTION statements_tally() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    cited bigint[];
BEGIN
    IF TG_OP = 'UPDATE' THEN
        SELECT array_agg(source_id) INTO cited FROM citations WHERE statement_id = NEW.id AND retracted_at IS NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.retracted_at IS NULL AND OLD.nation_code IS NOT NULL THEN
        UPDATE statement_tallies SET n = n - 1 WHERE nation_code = OLD.nation_code;
        PERFORM tally_sources(OLD.nation_code, cited, -1);
    END IF;
    IF NEW.retracted_at IS NULL AND NEW.nation_code IS NOT NULL THEN
        INSERT INTO statement_tallies AS t VALUES (NEW.nation_code, 1)
            ON CONFLICT (nation_code) DO UPDATE SET n = t.n + 1;
        PERFORM tally_sources(NEW.nation_code, cited, 1);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER statements_tally_insert AFTER INSERT ON statements
    FOR EACH ROW EXECUTE FUNCTION statements_tally();
CREATE TRIGGER statements_tally_update AFTER UPDATE OF nation_code, retracted_at ON statements
    FOR EACH ROW WHEN ((OLD.nation_code, OLD.retracted_at IS NULL) IS DISTINCT FROM (NEW.nation_code, NEW.retracted_at IS NULL))
    EXECUTE FUNCTION statements_tally();

-- The nation a citation counts for: its fact's, while the fact is live.
CREATE FUNCTION citation_nation(c citations) RETURNS text LANGUAGE sql STABLE AS $$
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

CREATE FUNCTION citations_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.retracted_at IS NULL THEN
        PERFORM tally_sources(citation_nation(OLD), ARRAY[OLD.source_id], -1);
    END IF;
    IF NEW.retracted_at IS NULL THEN
        PERFORM tally_sources(citation_nation(NEW), ARRAY[NEW.source_id], 1);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER citations_tally_insert AFTER INSERT ON citations
    FOR EACH ROW EXECUTE FUNCTION citations_tally();
CREATE TRIGGER citations_tally_update AFTER UPDATE OF source_id, retracted_at ON citations
    FOR EACH ROW WHEN ((OLD.source_id, OLD.retracted_at IS NULL) IS DISTINCT FROM (NEW.source_id, NEW.retracted_at IS NULL))
    EXECUTE FUNCTION citations_tally();

-- The tallies, computed from the facts at once.
CREATE FUNCTION tallies_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM commitment_tallies;
    INSERT INTO commitment_tallies
    SELECT 0, nation_code, kind, status, count(*) FROM commitments WHERE retracted_at IS NULL
     GROUP BY nation_code, kind, status
    UNION ALL
    SELECT event_id, nation_code, kind, status, count(*) FROM commitments
     WHERE retracted_at IS NULL AND event_id IS NOT NULL GROUP BY event_id, nation_code, kind, status;
    DELETE FROM statement_tallies;
    INSERT INTO statement_tallies
    SELECT nation_code, count(*) FROM statements WHERE retracted_at IS NULL AND nation_code IS NOT NULL
     GROUP BY nation_code;
    DELETE FROM source_tallies;
    INSERT INTO source_tallies
    SELECT nation_code, source_id, count(*) FROM (
        SELECT c.nation_code, ci.source_id FROM citations ci JOIN commitments c ON c.id = ci.commitment_id
         WHERE ci.retracted_at IS NULL AND c.retracted_at IS NULL
        UNION ALL
        SELECT c.nation_code, ci.source_id FROM citations ci
          JOIN commitment_status_changes s ON s.id = ci.status_change_id JOIN commitments c ON c.id = s.commitment_id
         WHERE ci.retracted_at IS NULL AND c.retracted_at IS NULL
        UNION ALL
        SELECT st.nation_code, ci.source_id FROM citations ci JOIN statements st ON st.id = ci.statement_id
         WHERE ci.retracted_at IS NULL AND st.retracted_at IS NULL AND st.nation_code IS NOT NULL) f
     GROUP BY nation_code, source_id;
END $$;

-- 3. The timeline's entries, in the order it is read: one per event, status change and statement
-- in everyone's timeline (scope ''), and in each nation's concerned (scope: the nation's code);
-- an undated entry sorts last (`infinity`). An entry that no longer belongs (a retracted record, a
-- nation no longer linked) is hidden, not deleted, so that a cursor naming it still has its place.
CREATE TABLE timeline_entries (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scope      text NOT NULL,
    sort_date  date NOT NULL,
    rank       smallint NOT NULL CHECK (rank IN (0, 1, 2)),
    record_id  bigint NOT NULL,
    link_basis jsonb,
    visible    boolean NOT NULL,
    UNIQUE (scope, rank, record_id)
);
CREATE INDEX timeline_entries_order_idx ON timeline_entries (scope, sort_date, rank, record_id) WHERE visible;
CREATE INDEX timeline_entries_record_idx ON timeline_entries (rank, record_id);

-- What the timeline should hold for one record: (scope, date, link basis) rows, of every scope or
-- of one. Events (rank 0) are in everyone's timeline and in that of each nation that took part or
-- linked a live commitment to it (the participants' basis, else a stated link before an inferred
-- one); status changes (1) in that of their commitment's nation; statements (2) in that of their
-- nation.
CREATE FUNCTION timeline_rows(rank_ smallint, record bigint, only_scope text)
    RETURNS TABLE (scope text, sort_date date, link_basis jsonb) LANGUAGE sql STABLE AS $$
    SELECT '', coalesce(e.occurred_on, 'infinity'), NULL::jsonb FROM events e
     WHERE rank_ = 0 AND e.id = record AND e.retracted_at IS NULL AND coalesce(only_scope, '') = ''
    UNION ALL
    SELECT n.nation_code, coalesce(e.occurred_on, 'infinity'),
           CASE WHEN EXISTS (SELECT 1 FROM event_participants p WHERE p.event_id = e.id AND p.nation_code = n.nation_code)
                THEN e.basis -> 'participants'
                ELSE (SELECT c.basis -> 'event_id' FROM commitments c
                       WHERE c.event_id = e.id AND c.nation_code = n.nation_code AND c.retracted_at IS NULL
                       ORDER BY (c.basis -> 'event_id' ->> 'basis') = 'stated' DESC, c.id LIMIT 1)
           END
      FROM events e,
           LATERAL (SELECT p.nation_code FROM event_participants p
                     WHERE p.event_id = e.id AND (only_scope IS NULL OR p.nation_code = only_scope)
                    UNION
                    SELECT c.nation_code FROM commitments c
                     WHERE c.event_id = e.id AND c.retracted_at IS NULL AND (only_scope IS NULL OR c.nation_code = only_scope)) n
     WHERE rank_ = 0 AND e.id = record AND e.retracted_at IS NULL
    UNION ALL
    SELECT sc.scope, coalesce(s.changed_on, 'infinity'), NULL FROM commitment_status_changes s
      JOIN commitments c ON c.id = s.commitment_id,
           LATERAL (VALUES (''), (c.nation_code)) sc(scope)
     WHERE rank_ = 1 AND s.id = record AND c.retracted_at IS NULL
    UNION ALL
    SELECT sc.scope, coalesce(st.said_on, 'infinity'), NULL FROM statements st,
           LATERAL (SELECT '' UNION ALL SELECT st.nation_code WHERE st.nation_code IS NOT NULL) sc(scope)
     WHERE rank_ = 2 AND st.id = record AND st.retracted_at IS NULL
$$;

-- Brings one record's entries (of every scope, or of one) in line with `timeline_rows`.
CREATE FUNCTION timeline_refresh(rank_ smallint, record bigint, only_scope text DEFAULT NULL)
    RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF record IS NULL THEN
        RETURN;
    END IF;
    INSERT INTO timeline_entries AS t (scope, sort_date, rank, record_id, link_basis, visible)
    SELECT r.scope, r.sort_date, rank_, record, r.link_basis, true FROM timeline_rows(rank_, record, only_scope) r
        ON CONFLICT (scope, rank, record_id) DO UPDATE
       SET sort_date = excluded.sort_date, link_basis = excluded.link_basis, visible = true
     WHERE (t.sort_date, t.link_basis, t.visible) IS DISTINCT FROM (excluded.sort_date, excluded.link_basis, true);
    UPDATE timeline_entries t SET visible = false
     WHERE t.rank = rank_ AND t.record_id = record AND t.visible
       AND (only_scope IS NULL OR t.scope = only_scope)
       AND NOT EXISTS (SELECT 1 FROM timeline_rows(rank_, record, only_scope) r WHERE r.scope = t.scope);
END $$;

CREATE FUNCTION events_timeline() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM timeline_refresh(0::smallint, NEW.id);
    RETURN NULL;
END $$;
CREATE TRIGGER events_timeline AFTER INSERT OR UPDATE OF occurred_on, retracted_at, basis ON events
    FOR EACH ROW EXECUTE FUNCTION events_timeline();

CREATE FUNCTION participants_timeline() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM timeline_refresh(0::smallint, OLD.event_id, OLD.nation_code);
    ELSE
        PERFORM timeline_refresh(0::smallint, NEW.event_id, NEW.nation_code);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER participants_timeline AFTER INSERT OR DELETE ON event_participants
    FOR EACH ROW EXECUTE FUNCTION participants_timeline();

CREATE FUNCTION commitments_timeline() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    step bigint;
BEGIN
    -- Only the entries of the events and nations this commitment links.
    IF TG_OP = 'UPDATE' THEN
        PERFORM timeline_refresh(0::smallint, OLD.event_id, OLD.nation_code);
    END IF;
    PERFORM timeline_refresh(0::smallint, NEW.event_id, NEW.nation_code);
    IF TG_OP = 'UPDATE' AND (OLD.nation_code, OLD.retracted_at IS NULL) IS DISTINCT FROM (NEW.nation_code, NEW.retracted_at IS NULL) THEN
        FOR step IN SELECT id FROM commitment_status_changes WHERE commitment_id = NEW.id LOOP
            PERFORM timeline_refresh(1::smallint, step);
        END LOOP;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER commitments_timeline_insert AFTER INSERT ON commitments
    FOR EACH ROW WHEN (NEW.event_id IS NOT NULL) EXECUTE FUNCTION commitments_timeline();
CREATE TRIGGER commitments_timeline_update AFTER UPDATE OF nation_code, event_id, retracted_at, basis ON commitments
    FOR EACH ROW WHEN ((OLD.nation_code, OLD.event_id, OLD.retracted_at IS NULL, OLD.basis -> 'event_id')
                       IS DISTINCT FROM (NEW.nation_code, NEW.event_id, NEW.retracted_at IS NULL, NEW.basis -> 'event_id'))
    EXECUTE FUNCTION commitments_timeline();

CREATE FUNCTION status_changes_timeline() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM timeline_refresh(1::smallint, NEW.id);
    RETURN NULL;
END $$;
CREATE TRIGGER status_changes_timeline AFTER INSERT OR UPDATE OF changed_on ON commitment_status_changes
    FOR EACH ROW EXECUTE FUNCTION status_changes_timeline();

CREATE FUNCTION statements_timeline() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM timeline_refresh(2::smallint, NEW.id);
    RETURN NULL;
END $$;
CREATE TRIGGER statements_timeline AFTER INSERT OR UPDATE OF said_on, nation_code, retracted_at ON statements
    FOR EACH ROW EXECUTE FUNCTION statements_timeline();

-- The timeline, computed from the facts at once: every entry that belongs, in the order above.
-- Entries already there keep their ids. With ids given, only the entries of the events, status
-- changes and statements after them (a bulk load of new records).
CREATE FUNCTION timeline_rebuild(events_after bigint DEFAULT 0, steps_after bigint DEFAULT 0,
                                 statements_after bigint DEFAULT 0) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    CREATE TEMPORARY TABLE timeline_wanted ON COMMIT DROP AS
    SELECT '' AS scope, coalesce(e.occurred_on, 'infinity') AS sort_date, 0::smallint AS rank, e.id AS record_id,
           NULL::jsonb AS link_basis
      FROM events e WHERE e.retracted_at IS NULL AND e.id > events_after
    UNION ALL
    SELECT l.nation_code, coalesce(e.occurred_on, 'infinity'), 0::smallint, e.id,
           CASE WHEN l.participant THEN e.basis -> 'participants' ELSE l.link END
      FROM events e JOIN (
            SELECT event_id, nation_code, bool_or(participant) AS participant,
                   (array_agg(link ORDER BY stated DESC, id) FILTER (WHERE NOT participant))[1] AS link
              FROM (SELECT event_id, nation_code, true AS participant, NULL::jsonb AS link, false AS stated, 0::bigint AS id
                      FROM event_participants WHERE event_id > events_after
                    UNION ALL
                    SELECT event_id, nation_code, false, basis -> 'event_id', (basis -> 'event_id' ->> 'basis') = 'stated', id
                      FROM commitments WHERE event_id > events_after AND retracted_at IS NULL) x
             GROUP BY event_id, nation_code) l ON l.event_id = e.id
     WHERE e.retracted_at IS NULL AND e.id > events_after
    UNION ALL
    SELECT sc.scope, coalesce(s.changed_on, 'infinity'), 1::smallint, s.id, NULL
      FROM commitment_status_changes s JOIN commitments c ON c.id = s.commitment_id,
           LATERAL (VALUES (''), (c.nation_code)) sc(scope)
     WHERE c.retracted_at IS NULL AND s.id > steps_after
    UNION ALL
    SELECT sc.scope, coalesce(st.said_on, 'infinity'), 2::smallint, st.id, NULL FROM statements st,
           LATERAL (SELECT '' UNION ALL SELECT st.nation_code WHERE st.nation_code IS NOT NULL) sc(scope)
     WHERE st.retracted_at IS NULL AND st.id > statements_after;
    UPDATE timeline_entries t SET visible = false
     WHERE t.visible
       AND t.record_id > CASE t.rank WHEN 0 THEN events_after WHEN 1 THEN steps_after ELSE statements_after END
       AND NOT EXISTS (SELECT 1 FROM timeline_wanted w
                        WHERE (w.scope, w.rank, w.record_id) = (t.scope, t.rank, t.record_id));
    INSERT INTO timeline_entries AS t (scope, sort_date, rank, record_id, link_basis, visible)
    SELECT scope, sort_date, rank, record_id, link_basis, true FROM timeline_wanted
     ORDER BY scope, sort_date, rank, record_id
        ON CONFLICT (scope, rank, record_id) DO UPDATE
       SET sort_date = excluded.sort_date, link_basis = excluded.link_basis, visible = true
     WHERE (t.sort_date, t.link_basis, t.visible) IS DISTINCT FROM (excluded.sort_date, excluded.link_basis, true);
    DROP TABLE timeline_wanted;
END $$;

-- The tallies of live records made after the given ids, added to those kept (a bulk load of new
-- records citing new sources).
CREATE FUNCTION tallies_add(commitments_after bigint, statements_after bigint, citations_after bigint)
    RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO commitment_tallies AS t
    SELECT 0, nation_code, kind, status, count(*) FROM commitments
     WHERE retracted_at IS NULL AND id > commitments_after GROUP BY nation_code, kind, status
    UNION ALL
    SELECT event_id, nation_code, kind, status, count(*) FROM commitments
     WHERE retracted_at IS NULL AND event_id IS NOT NULL AND id > commitments_after
     GROUP BY event_id, nation_code, kind, status
        ON CONFLICT (event_id, nation_code, kind, status) DO UPDATE SET n = t.n + excluded.n;
    INSERT INTO statement_tallies AS t
    SELECT nation_code, count(*) FROM statements
     WHERE retracted_at IS NULL AND nation_code IS NOT NULL AND id > statements_after GROUP BY nation_code
        ON CONFLICT (nation_code) DO UPDATE SET n = t.n + excluded.n;
    INSERT INTO source_tallies AS t
    SELECT nation_code, source_id, count(*) FROM (
        SELECT c.nation_code, ci.source_id FROM citations ci JOIN commitments c ON c.id = ci.commitment_id
         WHERE ci.id > citations_after AND ci.retracted_at IS NULL AND c.retracted_at IS NULL
        UNION ALL
        SELECT c.nation_code, ci.source_id FROM citations ci
          JOIN commitment_status_changes s ON s.id = ci.status_change_id JOIN commitments c ON c.id = s.commitment_id
         WHERE ci.id > citations_after AND ci.retracted_at IS NULL AND c.retracted_at IS NULL
        UNION ALL
        SELECT st.nation_code, ci.source_id FROM citations ci JOIN statements st ON st.id = ci.statement_id
         WHERE ci.id > citations_after AND ci.retracted_at IS NULL AND st.retracted_at IS NULL AND st.nation_code IS NOT NULL) f
     GROUP BY nation_code, source_id
        ON CONFLICT (nation_code, source_id) DO UPDATE SET n = t.n + excluded.n;
END $$;

SELECT tallies_rebuild();
SELECT timeline_rebuild();
