-- A commitment's and a statement's words, from their own fields and the words of the nation and
-- the person they name, given as arguments. The triggers look those up for one row
-- (`commitment_words`, `statement_words`); a bulk load joins them for many rows at once and calls
-- the same function, so both give the same vector. Being a plain expression, it is inlined into
-- the query that calls it.
CREATE FUNCTION commitment_words_of(summary text, conditions text, quantity_text text, quantity_unit text,
                                    nation_words text, person_words text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT to_tsvector('english', summary || ' ' || coalesce(conditions, '') || ' ' || coalesce(quantity_text, '')
        || ' ' || coalesce(quantity_unit, '') || ' ' || nation_words || ' ' || person_words)
$$;
CREATE FUNCTION statement_words_of(summary text, quote text, attribution text, nation_words text, person_words text)
    RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT to_tsvector('english', summary || ' ' || coalesce(quote, '') || ' ' || coalesce(attribution, '')
        || ' ' || nation_words || ' ' || person_words)
$$;
CREATE OR REPLACE FUNCTION commitment_words(c commitments) RETURNS tsvector LANGUAGE sql STABLE AS $$
    SELECT commitment_words_of(c.summary, c.conditions, c.quantity_text, c.quantity_unit,
                               nation_words(c.nation_code), person_words(c.announced_by))
$$;
CREATE OR REPLACE FUNCTION statement_words(s statements) RETURNS tsvector LANGUAGE sql STABLE AS $$
    SELECT statement_words_of(s.summary, s.quote, s.attribution, nation_words(s.nation_code), person_words(s.speaker_id))
$$;
