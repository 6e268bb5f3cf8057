-- The check as it was: its entries walked through a query.
CREATE OR REPLACE FUNCTION basis_is_valid(b jsonb) RETURNS boolean LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    entry jsonb;
BEGIN
    IF jsonb_typeof(b) IS DISTINCT FROM 'object' THEN
        RETURN false;
    END IF;
    FOR entry IN SELECT e.value FROM jsonb_each(b) AS e LOOP
        IF jsonb_typeof(entry) IS DISTINCT FROM 'object' THEN
            RETURN false;
        ELSIF entry ->> 'basis' = 'stated' THEN
            IF jsonb_typeof(entry -> 'citation_id') IS DISTINCT FROM 'number'
               OR entry - 'basis' - 'citation_id' <> '{}'::jsonb THEN
                RETURN false;
            END IF;
        ELSIF entry ->> 'basis' = 'inferred' THEN
            IF coalesce(btrim(entry ->> 'note'), '') = '' OR coalesce(entry ->> 'inferred_by', '') = ''
               OR entry - 'basis' - 'note' - 'inferred_by' <> '{}'::jsonb THEN
                RETURN false;
            END IF;
        ELSE
            RETURN false;
        END IF;
    END LOOP;
    RETURN true;
END $$;
