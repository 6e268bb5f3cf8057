DROP TRIGGER nation_names_follow ON nation_names;
DROP FUNCTION nation_names_follow();
DROP TRIGGER participants_words_follow ON event_participants;
DROP FUNCTION participants_words_follow();
DROP TRIGGER people_words_follow ON people;
DROP FUNCTION people_words_follow();
DROP TRIGGER commitments_words ON commitments;
DROP TRIGGER statements_words ON statements;
DROP TRIGGER claims_words ON claims;
DROP TRIGGER events_words ON events;
DROP FUNCTION commitments_words(), statements_words(), claims_words(), events_words();
DROP FUNCTION commitment_words(commitments), statement_words(statements), claim_words(claims), event_words(events);
DROP FUNCTION person_words(bigint);
ALTER TABLE commitments DROP COLUMN search_vector;
ALTER TABLE commitments ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    to_tsvector('english', summary || ' ' || coalesce(conditions, '') || ' ' || coalesce(quantity_text, '') || ' ' || coalesce(quantity_unit, ''))
) STORED;
ALTER TABLE statements DROP COLUMN search_vector;
ALTER TABLE statements ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    to_tsvector('english', summary || ' ' || coalesce(quote, '') || ' ' || coalesce(attribution, ''))
) STORED;
ALTER TABLE claims DROP COLUMN search_vector;
ALTER TABLE claims ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    to_tsvector('english', description || ' ' || coalesce(unit, '') || ' ' || coalesce(period, '') || ' ' || coalesce(location, ''))
) STORED;
ALTER TABLE events DROP COLUMN search_vector;
ALTER TABLE events ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    to_tsvector('english', title || ' ' || coalesce(description, '') || ' ' || coalesce(location, '') || ' ' || coalesce(attendance, ''))
) STORED;
CREATE INDEX commitments_search_idx ON commitments USING gin (search_vector);
CREATE INDEX statements_search_idx ON statements USING gin (search_vector);
CREATE INDEX claims_search_idx ON claims USING gin (search_vector);
CREATE INDEX events_search_idx ON events USING gin (search_vector);
CREATE OR REPLACE FUNCTION revision_search_vector(entity text, r json) RETURNS tsvector
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
UPDATE revisions SET search_vector = revision_search_vector(entity, after) WHERE valid_until IS NOT NULL;
DROP FUNCTION nation_words(text);
DROP TABLE nation_names;
