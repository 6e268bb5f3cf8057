-- A nation's and a person's words (for the search vectors of the facts that name them) as plpgsql,
-- whose statements are planned once per session: as SQL functions they were planned again at every
-- call, on every write of a commitment or statement (0.15 ms and 0.07 ms of each, by
-- `track_functions`). Same results.
CREATE OR REPLACE FUNCTION nation_words(code text) RETURNS text LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN coalesce((SELECT string_agg(n.name, ' ' ORDER BY n.name) FROM nation_names n WHERE n.nation_code = code), '');
END $$;

CREATE OR REPLACE FUNCTION person_words(person bigint) RETURNS text LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN coalesce((SELECT p.name || ' ' || coalesce(p.role, '') FROM people p WHERE p.id = person), '');
END $$;
