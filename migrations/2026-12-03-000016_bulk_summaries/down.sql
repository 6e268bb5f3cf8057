-- The timeline's rebuild computes its entries itself again, and the tallies are added key by key.
DROP FUNCTION timeline_add(bigint, bigint, bigint);
CREATE OR REPLACE FUNCTION timeline_rebuild(events_after bigint DEFAULT 0, steps_after bigint DEFAULT 0,
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
DROP FUNCTION timeline_due(bigint, bigint, bigint);

CREATE OR REPLACE FUNCTION tallies_add(commitments_after bigint, statements_after bigint, citations_after bigint)
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
