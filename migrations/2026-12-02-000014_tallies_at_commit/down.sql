-- Tallies changed as each fact is written again.
DROP TRIGGER tally_deltas_apply ON tally_deltas;
DROP FUNCTION tally_deltas_apply();
DROP TABLE tally_deltas;
CREATE OR REPLACE FUNCTION tally_commitment(nation text, kind_ text, status_ text, event bigint, delta integer)
    RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO commitment_tallies AS t VALUES (0, nation, kind_, status_, greatest(delta, 0))
        ON CONFLICT (event_id, nation_code, kind, status) DO UPDATE SET n = t.n + delta;
    IF event IS NOT NULL THEN
        INSERT INTO commitment_tallies AS t VALUES (event, nation, kind_, status_, greatest(delta, 0))
            ON CONFLICT (event_id, nation_code, kind, status) DO UPDATE SET n = t.n + delta;
    END IF;
END $$;

CREATE OR REPLACE FUNCTION tally_sources(nation text, sources bigint[], delta integer) RETURNS void LANGUAGE plpgsql AS $$
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

CREATE OR REPLACE FUNCTION statements_tally() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE OR REPLACE FUNCTION tallies_rebuild() RETURNS void LANGUAGE plpgsql AS $$
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

CREATE OR REPLACE FUNCTION timeline_rows(rank_ smallint, record bigint, only_scope text)
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
