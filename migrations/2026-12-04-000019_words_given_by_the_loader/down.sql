CREATE OR REPLACE FUNCTION person_words(person bigint) RETURNS text LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN coalesce((SELECT p.name || ' ' || coalesce(p.role, '') FROM people p WHERE p.id = person), '');
END $$;
DROP FUNCTION person_words_of(text, text);

DROP TRIGGER sources_words ON sources;
DROP FUNCTION sources_words();
ALTER TABLE sources DROP COLUMN search_vector;
ALTER TABLE sources ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    to_tsvector('english', title || ' ' || text)
) STORED;
CREATE INDEX sources_search_idx ON sources USING gin (search_vector);
DROP FUNCTION source_words_of(text, text);
