-- The words looked up and computed in one function per record kind again.
CREATE OR REPLACE FUNCTION commitment_words(c commitments) RETURNS tsvector LANGUAGE sql STABLE AS $$
    SELECT to_tsvector('english', c.summary || ' ' || coalesce(c.conditions, '') || ' ' || coalesce(c.quantity_text, '')
        || ' ' || coalesce(c.quantity_unit, '') || ' ' || nation_words(c.nation_code) || ' ' || person_words(c.announced_by))
$$;
CREATE OR REPLACE FUNCTION statement_words(s statements) RETURNS tsvector LANGUAGE sql STABLE AS $$
    SELECT to_tsvector('english', s.summary || ' ' || coalesce(s.quote, '') || ' ' || coalesce(s.attribution, '')
        || ' ' || nation_words(s.nation_code) || ' ' || person_words(s.speaker_id))
$$;
DROP FUNCTION statement_words_of(text, text, text, text, text);
DROP FUNCTION commitment_words_of(text, text, text, text, text, text);
