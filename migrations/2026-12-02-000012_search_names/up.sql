-- What people call nations: the ISO names, and the common names, short forms and adjectives
-- sources write (Czechia, the Czech Republic, Czech; the United Kingdom, UK, Britain, British).
-- One table, for search and for anything else that reads a nation's names.
CREATE TABLE nation_names (
    nation_code text NOT NULL REFERENCES nations (code),
    name        text NOT NULL CHECK (name <> ''),
    kind        text NOT NULL CHECK (kind IN ('name', 'common', 'official', 'short', 'adjective')),
    PRIMARY KEY (nation_code, name)
);
INSERT INTO nation_names (nation_code, name, kind)
SELECT code, name, 'name' FROM nations
UNION SELECT code, common_name, 'common' FROM nations WHERE common_name IS NOT NULL
UNION SELECT code, official_name, 'official' FROM nations WHERE official_name IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO nation_names (nation_code, name, kind) VALUES
    ('AL', 'Albanian', 'adjective'), ('AM', 'Armenian', 'adjective'), ('AT', 'Austrian', 'adjective'),
    ('AU', 'Australian', 'adjective'), ('AZ', 'Azerbaijani', 'adjective'), ('BA', 'Bosnian', 'adjective'),
    ('BE', 'Belgian', 'adjective'), ('BG', 'Bulgarian', 'adjective'), ('BY', 'Belarusian', 'adjective'),
    ('BY', 'Belarus', 'short'), ('CA', 'Canadian', 'adjective'), ('CH', 'Swiss', 'adjective'),
    ('CH', 'Switzerland', 'short'), ('CN', 'Chinese', 'adjective'), ('CY', 'Cypriot', 'adjective'),
    ('CZ', 'Czech Republic', 'common'), ('CZ', 'Czech', 'adjective'), ('DE', 'German', 'adjective'),
    ('DK', 'Danish', 'adjective'), ('EE', 'Estonian', 'adjective'), ('ES', 'Spanish', 'adjective'),
    ('FI', 'Finnish', 'adjective'), ('FR', 'French', 'adjective'), ('GB', 'UK', 'short'),
    ('GB', 'Britain', 'common'), ('GB', 'Great Britain', 'common'), ('GB', 'British', 'adjective'),
    ('GE', 'Georgian', 'adjective'), ('GR', 'Greek', 'adjective'), ('HR', 'Croatian', 'adjective'),
    ('HU', 'Hungarian', 'adjective'), ('IE', 'Irish', 'adjective'), ('IL', 'Israeli', 'adjective'),
    ('IN', 'Indian', 'adjective'), ('IR', 'Iranian', 'adjective'), ('IS', 'Icelandic', 'adjective'),
    ('IT', 'Italian', 'adjective'), ('JP', 'Japanese', 'adjective'), ('KP', 'North Korean', 'adjective'),
    ('KR', 'South Korean', 'adjective'), ('KZ', 'Kazakh', 'adjective'), ('LT', 'Lithuanian', 'adjective'),
    ('LU', 'Luxembourgish', 'adjective'), ('LV', 'Latvian', 'adjective'), ('MD', 'Moldovan', 'adjective'),
    ('ME', 'Montenegrin', 'adjective'), ('MK', 'Macedonian', 'adjective'), ('MT', 'Maltese', 'adjective'),
    ('NL', 'Dutch', 'adjective'), ('NL', 'Holland', 'common'), ('NO', 'Norwegian', 'adjective'),
    ('NZ', 'New Zealander', 'adjective'), ('PL', 'Polish', 'adjective'), ('PT', 'Portuguese', 'adjective'),
    ('RO', 'Romanian', 'adjective'), ('RS', 'Serbian', 'adjective'), ('RU', 'Russia', 'common'),
    ('RU', 'Russian', 'adjective'), ('SE', 'Swedish', 'adjective'), ('SI', 'Slovenian', 'adjective'),
    ('SK', 'Slovak', 'adjective'), ('SY', 'Syrian', 'adjective'), ('TR', 'Turkish', 'adjective'),
    ('TR', 'Turkey', 'common'), ('TW', 'Taiwanese', 'adjective'), ('UA', 'Ukrainian', 'adjective'),
    ('US', 'US', 'short'), ('US', 'USA', 'short'), ('US', 'America', 'common'),
    ('US', 'American', 'adjective'), ('US', 'United States of America', 'official'),
    ('VA', 'Vatican', 'common')
ON CONFLICT DO NOTHING;

-- Every name of a nation, as one text to index.
CREATE FUNCTION nation_words(code text) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT coalesce(string_agg(name, ' ' ORDER BY name), '') FROM nation_names WHERE nation_code = code
$$;

-- A record's words now include the names of the nations and people it concerns, so that `Macron`,
-- `Witkoff` or `Czechia` find the statements and commitments of those people and nations. The
-- words are kept by the database as the record, its people or its participants change (they
-- can no longer be a generated column: they read other tables).
ALTER TABLE commitments ALTER COLUMN search_vector DROP EXPRESSION;
ALTER TABLE statements ALTER COLUMN search_vector DROP EXPRESSION;
ALTER TABLE claims ALTER COLUMN search_vector DROP EXPRESSION;
ALTER TABLE events ALTER COLUMN search_vector DROP EXPRESSION;

CREATE FUNCTION person_words(person bigint) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT name || ' ' || coalesce(role, '') FROM people WHERE id = person), '')
$$;

CREATE FUNCTION commitment_words(c commitments) RETURNS tsvector LANGUAGE sql STABLE AS $$
    SELECT to_tsvector('english', c.summary || ' ' || coalesce(c.conditions, '') || ' ' || coalesce(c.quantity_text, '')
        || ' ' || coalesce(c.quantity_unit, '') || ' ' || nation_words(c.nation_code) || ' ' || person_words(c.announced_by))
$$;
CREATE FUNCTION statement_words(s statements) RETURNS tsvector LANGUAGE sql STABLE AS $$
    SELECT to_tsvector('english', s.summary || ' ' || coalesce(s.quote, '') || ' ' || coalesce(s.attribution, '')
        || ' ' || nation_words(s.nation_code) || ' ' || person_words(s.speaker_id))
$$;
CREATE FUNCTION claim_words(c claims) RETURNS tsvector LANGUAGE sql STABLE AS $$
    SELECT to_tsvector('english', c.description || ' ' || coalesce(c.unit, '') || ' ' || coalesce(c.period, '')
        || ' ' || coalesce(c.location, '') || ' ' || nation_words(c.claimed_by))
$$;
CREATE FUNCTION event_words(e events) RETURNS tsvector LANGUAGE sql STABLE AS $$
    SELECT to_tsvector('english', e.title || ' ' || coalesce(e.description, '') || ' ' || coalesce(e.location, '')
        || ' ' || coalesce(e.attendance, '') || ' ' || coalesce((
            SELECT string_agg(nation_words(p.nation_code), ' ') FROM event_participants p WHERE p.event_id = e.id), ''))
$$;

CREATE FUNCTION commitments_words() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.search_vector := commitment_words(NEW); RETURN NEW; END $$;
CREATE FUNCTION statements_words() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.search_vector := statement_words(NEW); RETURN NEW; END $$;
CREATE FUNCTION claims_words() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.search_vector := claim_words(NEW); RETURN NEW; END $$;
CREATE FUNCTION events_words() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.search_vector := event_words(NEW); RETURN NEW; END $$;
CREATE TRIGGER commitments_words BEFORE INSERT OR UPDATE OF summary, conditions, quantity_text, quantity_unit, nation_code, announced_by
    ON commitments FOR EACH ROW EXECUTE FUNCTION commitments_words();
CREATE TRIGGER statements_words BEFORE INSERT OR UPDATE OF summary, quote, attribution, nation_code, speaker_id
    ON statements FOR EACH ROW EXECUTE FUNCTION statements_words();
CREATE TRIGGER claims_words BEFORE INSERT OR UPDATE OF description, unit, period, location, claimed_by
    ON claims FOR EACH ROW EXECUTE FUNCTION claims_words();
CREATE TRIGGER events_words BEFORE INSERT OR UPDATE OF title, description, location, attendance
    ON events FOR EACH ROW EXECUTE FUNCTION events_words();

-- A person's new name or role, or an event's participants, show in the words of the records
-- that name them.
CREATE FUNCTION people_words_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE commitments c SET search_vector = commitment_words(c) WHERE c.announced_by = NEW.id;
    UPDATE statements s SET search_vector = statement_words(s) WHERE s.speaker_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER people_words_follow AFTER UPDATE OF name, role ON people
    FOR EACH ROW WHEN ((OLD.name, OLD.role) IS DISTINCT FROM (NEW.name, NEW.role))
    EXECUTE FUNCTION people_words_follow();
CREATE FUNCTION participants_words_follow() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    event bigint := CASE WHEN TG_OP = 'DELETE' THEN OLD.event_id ELSE NEW.event_id END;
BEGIN
    UPDATE events e SET search_vector = event_words(e) WHERE e.id = event;
    RETURN NULL;
END $$;
CREATE TRIGGER participants_words_follow AFTER INSERT OR DELETE ON event_participants
    FOR EACH ROW EXECUTE FUNCTION participants_words_follow();
CREATE FUNCTION nation_names_follow() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    code text := CASE WHEN TG_OP = 'DELETE' THEN OLD.nation_code ELSE NEW.nation_code END;
BEGIN
    UPDATE commitments c SET search_vector = commitment_words(c) WHERE c.nation_code = code;
    UPDATE statements s SET search_vector = statement_words(s) WHERE s.nation_code = code;
    UPDATE claims c SET search_vector = claim_words(c) WHERE c.claimed_by = code;
    UPDATE events e SET search_vector = event_words(e)
     WHERE e.id IN (SELECT event_id FROM event_participants WHERE nation_code = code);
    RETURN NULL;
END $$;
CREATE TRIGGER nation_names_follow AFTER INSERT OR UPDATE OR DELETE ON nation_names
    FOR EACH ROW EXECUTE FUNCTION nation_names_follow();

UPDATE commitments c SET search_vector = commitment_words(c);
UPDATE statements s SET search_vector = statement_words(s);
UPDATE claims c SET search_vector = claim_words(c);
UPDATE events e SET search_vector = event_words(e);

-- The words of a closed revision, the same as its record's then: from the names it shows.
CREATE OR REPLACE FUNCTION revision_search_vector(entity text, r json) RETURNS tsvector
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE entity
        WHEN 'commitments' THEN to_tsvector('english', coalesce(r ->> 'summary', '') || ' ' || coalesce(r ->> 'conditions', '')
            || ' ' || coalesce(r #>> '{quantity,text}', '') || ' ' || coalesce(r #>> '{quantity,unit}', '')
            || ' ' || nation_words(r ->> 'nation') || ' ' || coalesce(r #>> '{announced_by,name}', '')
            || ' ' || coalesce(r #>> '{announced_by,role}', ''))
        WHEN 'statements' THEN to_tsvector('english', coalesce(r ->> 'summary', '') || ' ' || coalesce(r ->> 'quote', '')
            || ' ' || coalesce(r ->> 'attribution', '') || ' ' || nation_words(r ->> 'nation')
            || ' ' || coalesce(r #>> '{speaker,name}', '') || ' ' || coalesce(r #>> '{speaker,role}', ''))
        WHEN 'claims' THEN to_tsvector('english', coalesce(r ->> 'description', '') || ' ' || coalesce(r ->> 'unit', '')
            || ' ' || coalesce(r ->> 'period', '') || ' ' || coalesce(r ->> 'location', '') || ' ' || nation_words(r ->> 'claimed_by'))
        WHEN 'events' THEN to_tsvector('english', coalesce(r ->> 'title', '') || ' ' || coalesce(r ->> 'description', '')
            || ' ' || coalesce(r ->> 'location', '') || ' ' || coalesce(r ->> 'attendance', '') || ' ' || coalesce((
                SELECT string_agg(nation_words(p ->> 'nation'), ' ') FROM json_array_elements(r -> 'participants') p), ''))
        WHEN 'sources' THEN to_tsvector('english', coalesce(r ->> 'title', '') || ' ' || coalesce(r ->> 'text', ''))
    END
$$;
UPDATE revisions SET search_vector = revision_search_vector(entity, after) WHERE valid_until IS NOT NULL;
