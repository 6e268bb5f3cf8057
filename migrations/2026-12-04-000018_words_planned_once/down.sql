CREATE OR REPLACE FUNCTION nation_words(code text) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT coalesce(string_agg(name, ' ' ORDER BY name), '') FROM nation_names WHERE nation_code = code
$$;

CREATE OR REPLACE FUNCTION person_words(person bigint) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT name || ' ' || coalesce(role, '') FROM people WHERE id = person), '')
$$;
