-- The tallies as they were added: each set of counts in one statement.
CREATE OR REPLACE FUNCTION tallies_add(commitments_after bigint, statements_after bigint, citations_after bigint)
 RETURNS void
 LANGUAGE plpgsql
AS $function$
BEGIN
    WITH d AS (
        SELECT 0::bigint AS event_id, nation_code, kind, status, count(*) AS n FROM commitments
         WHERE retracted_at IS NULL AND id > commitments_after GROUP BY nation_code, kind, status
        UNION ALL
        SELECT event_id, nation_code, kind, status, count(*) FROM commitments
         WHERE retracted_at IS NULL AND event_id IS NOT NULL AND id > commitments_after
         GROUP BY event_id, nation_code, kind, status),
    u AS (
        UPDATE commitment_tallies t SET n = t.n + d.n FROM d
         WHERE (t.event_id, t.nation_code, t.kind, t.status) = (d.event_id, d.nation_code, d.kind, d.status)
        RETURNING t.event_id, t.nation_code, t.kind, t.status)
    INSERT INTO commitment_tallies (event_id, nation_code, kind, status, n)
    SELECT d.* FROM d WHERE NOT EXISTS (
        SELECT 1 FROM u WHERE (u.event_id, u.nation_code, u.kind, u.status) = (d.event_id, d.nation_code, d.kind, d.status));
    INSERT INTO statement_tallies AS t
    SELECT nation_code, count(*) FROM statements
     WHERE retracted_at IS NULL AND nation_code IS NOT NULL AND id > statements_after GROUP BY nation_code
        ON CONFLICT (nation_code) DO UPDATE SET n = t.n + excluded.n;
    WITH d AS (
        SELECT nation_code, source_id, count(*) AS n FROM (
            SELECT c.nation_code, ci.source_id FROM citations ci JOIN commitments c ON c.id = ci.commitment_id
             WHERE ci.id > citations_after AND ci.retracted_at IS NULL AND c.retracted_at IS NULL
            UNION ALL
            SELECT c.nation_code, ci.source_id FROM citations ci
              JOIN commitment_status_changes s ON s.id = ci.status_change_id JOIN commitments c ON c.id = s.commitment_id
             WHERE ci.id > citations_after AND ci.retracted_at IS NULL AND c.retracted_at IS NULL
            UNION ALL
            SELECT st.nation_code, ci.source_id FROM citations ci JOIN statements st ON st.id = ci.statement_id
             WHERE ci.id > citations_after AND ci.retracted_at IS NULL AND st.retracted_at IS NULL
               AND st.nation_code IS NOT NULL) f
         GROUP BY nation_code, source_id),
    u AS (
        UPDATE source_tallies t SET n = t.n + d.n FROM d
         WHERE (t.nation_code, t.source_id) = (d.nation_code, d.source_id)
        RETURNING t.nation_code, t.source_id)
    INSERT INTO source_tallies (nation_code, source_id, n)
    SELECT d.* FROM d WHERE NOT EXISTS (
        SELECT 1 FROM u WHERE (u.nation_code, u.source_id) = (d.nation_code, d.source_id));
END $function$;

