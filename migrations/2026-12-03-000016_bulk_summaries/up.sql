-- The timeline entries due to the records made after the given ids, as one set: what
-- `timeline_rebuild` reconciles the kept entries with, and what `timeline_add` inserts.
CREATE FUNCTION timeline_due(events_after bigint, steps_after bigint, statements_after bigint)
    RETURNS TABLE (scope text, sort_date date, rank smallint, record_id bigint, link_basis jsonb)
    LANGUAGE sql STABLE AS $$
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
     WHERE st.retracted_at IS NULL AND st.id > statements_after
$$;

CREATE OR REPLACE FUNCTION timeline_rebuild(events_after bigint DEFAULT 0, steps_after bigint DEFAULT 0,
                                 statements_after bigint DEFAULT 0) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    CREATE TEMPORARY TABLE timeline_wanted ON COMMIT DROP AS
    SELECT * FROM timeline_due(events_after, steps_after, statements_after);
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

-- The entries of records made after the given ids, none of which has any yet (a bulk load of
-- new records): inserted as they are, with nothing to reconcile. An entry that exists already
-- breaks the unique key, and the load fails whole.
CREATE FUNCTION timeline_add(events_after bigint, steps_after bigint, statements_after bigint)
    RETURNS void LANGUAGE sql AS $$
    INSERT INTO timeline_entries (scope, sort_date, rank, record_id, link_basis, visible)
    SELECT scope, sort_date, rank, record_id, link_basis, true
      FROM timeline_due(events_after, steps_after, statements_after)
$$;

-- The tallies of live records made after the given ids, added to those kept (a bulk load of
-- new records citing new sources): each tally's additions are summed once, then added to the
-- tallies that exist and inserted as the rest. Joined rather than looked up key by key, so it
-- works as fast whether or not the tallies' keys are there (a bulk load sets them aside).
CREATE OR REPLACE FUNCTION tallies_add(commitments_after bigint, statements_after bigint, citations_after bigint)
    RETURNS void LANGUAGE plpgsql AS $$
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
END $$;
