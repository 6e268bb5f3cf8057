-- A source's words (its search vector) kept by a trigger, as every other record's are, instead of
-- a generated column: a generated column is computed by every COPY, in the loading session, while
-- a bulk load (its triggers off) can be given vectors made in another session, by this same
-- function, on another core. The values stored are unchanged.
CREATE FUNCTION source_words_of(title text, body text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT to_tsvector('english', title || ' ' || body)
$$;
ALTER TABLE sources ALTER COLUMN search_vector DROP EXPRESSION;
CREATE FUNCTION sources_words() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.search_vector := source_words_of(NEW.title, NEW.text); RETURN NEW; END $$;
CREATE TRIGGER sources_words BEFORE INSERT OR UPDATE OF title, text
    ON sources FOR EACH ROW EXECUTE FUNCTION sources_words();

-- A person's words from the person's fields, so that a bulk load can make them for people it has
-- not committed yet; `person_words` (by id) reads the row and calls it.
CREATE FUNCTION person_words_of(name text, role text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(name || ' ' || coalesce(role, ''), '')
$$;
CREATE OR REPLACE FUNCTION person_words(person bigint) RETURNS text LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN coalesce((SELECT person_words_of(p.name, p.role) FROM people p WHERE p.id = person), '');
END $$;
