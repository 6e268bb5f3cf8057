-- The knowledge base proper: sources and the facts that rest on them, each fact tied to exact spans
-- of its sources by citations. Vocabularies are CHECK constraints on text, so that adding a value is
-- a one-line migration and the database refuses anything the API would not accept.

CREATE TABLE organizations (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         text NOT NULL UNIQUE CHECK (name <> ''),
    abbreviation text,
    kind         text NOT NULL CHECK (kind IN ('alliance', 'union', 'coalition', 'other')),
    description  text
);

CREATE TABLE memberships (
    organization_id bigint NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    nation_code     text NOT NULL REFERENCES nations (code),
    joined_on       date,
    left_on         date,
    PRIMARY KEY (organization_id, nation_code),
    CHECK (left_on IS NULL OR joined_on IS NULL OR joined_on <= left_on)
);
CREATE INDEX memberships_nation_code_idx ON memberships (nation_code);

CREATE TABLE people (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL CHECK (name <> ''),
    role        text,
    nation_code text REFERENCES nations (code)
);
CREATE INDEX people_nation_code_idx ON people (nation_code);

-- SHA-256 of a text's UTF-8 bytes, hex-encoded. Declared IMMUTABLE (convert_to is only STABLE) so
-- that it can derive a stored column: the target encoding is named, so the result cannot vary.
CREATE FUNCTION utf8_sha256(t text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT encode(sha256(convert_to(t, 'UTF8')), 'hex') $$;

CREATE TABLE sources (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind             text NOT NULL CHECK (kind IN ('news_article', 'communique', 'official_statement', 'transcript', 'report', 'other')),
    title            text NOT NULL CHECK (title <> ''),
    publisher        text,
    url              text,
    published_on     date,
    retrieved_at     timestamptz NOT NULL,
    text             text NOT NULL CHECK (text <> ''),
    -- Derived by the database itself, so that it can never disagree with the text it fingerprints.
    sha256           text NOT NULL GENERATED ALWAYS AS (utf8_sha256(text)) STORED UNIQUE,
    reliability      text NOT NULL CHECK (reliability IN ('official', 'verified', 'unverified', 'ai_generated')),
    reliability_note text
);

-- A source's text is what every citation's offsets point into: it is never rewritten.
CREATE FUNCTION sources_text_is_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.text IS DISTINCT FROM OLD.text THEN
        RAISE EXCEPTION 'the text of source % cannot change: citations point into it; add a new source instead', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'sources_text_immutable';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER sources_text_is_immutable BEFORE UPDATE OF text ON sources
    FOR EACH ROW EXECUTE FUNCTION sources_text_is_immutable();

CREATE TABLE events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('summit', 'meeting', 'declaration', 'attack_report', 'other')),
    title       text NOT NULL CHECK (title <> ''),
    occurred_on date,
    location    text,
    attendance  text,
    description text
);

CREATE TABLE event_participants (
    event_id    bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    nation_code text NOT NULL REFERENCES nations (code),
    role        text,
    PRIMARY KEY (event_id, nation_code)
);
CREATE INDEX event_participants_nation_code_idx ON event_participants (nation_code);

CREATE TABLE commitments (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    nation_code   text NOT NULL REFERENCES nations (code),
    kind          text NOT NULL CHECK (kind IN ('troops', 'naval_support', 'air_support', 'funding', 'ammunition', 'equipment', 'military_hubs', 'training', 'intelligence', 'security_guarantee')),
    -- The latest entry of commitment_status_changes, kept here by a trigger for filtering.
    status        text NOT NULL CHECK (status IN ('proposed', 'pledged', 'in_progress', 'delivered', 'refused', 'withdrawn', 'omitted')),
    summary       text NOT NULL CHECK (summary <> ''),
    quantity_min  double precision,
    quantity_max  double precision,
    quantity_unit text,
    quantity_text text,
    role          text NOT NULL DEFAULT 'unspecified' CHECK (role IN ('combat', 'non_combat', 'unspecified')),
    conditions    text,
    announced_on  date,
    announced_by  bigint REFERENCES people (id),
    event_id      bigint REFERENCES events (id),
    CONSTRAINT commitments_quantity_range CHECK (quantity_min IS NULL OR quantity_max IS NULL OR quantity_min <= quantity_max),
    -- A number is never stored without the source's own words for it.
    CONSTRAINT commitments_quantity_has_text CHECK (quantity_text IS NOT NULL OR (quantity_min IS NULL AND quantity_max IS NULL AND quantity_unit IS NULL))
);
CREATE INDEX commitments_nation_code_idx ON commitments (nation_code);
CREATE INDEX commitments_event_id_idx ON commitments (event_id);
CREATE INDEX commitments_announced_by_idx ON commitments (announced_by);

CREATE TABLE commitment_status_changes (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    commitment_id bigint NOT NULL REFERENCES commitments (id) ON DELETE CASCADE,
    status        text NOT NULL CHECK (status IN ('proposed', 'pledged', 'in_progress', 'delivered', 'refused', 'withdrawn', 'omitted')),
    changed_on    date,
    note          text,
    recorded_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX commitment_status_changes_commitment_id_idx ON commitment_status_changes (commitment_id);

CREATE FUNCTION commitment_status_follows_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE commitments SET status = NEW.status WHERE id = NEW.commitment_id;
    RETURN NULL;
END $$;
CREATE TRIGGER commitment_status_follows_history AFTER INSERT ON commitment_status_changes
    FOR EACH ROW EXECUTE FUNCTION commitment_status_follows_history();

CREATE TABLE statements (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    speaker_id  bigint REFERENCES people (id),
    attribution text,
    nation_code text REFERENCES nations (code),
    event_id    bigint REFERENCES events (id),
    quote       text,
    summary     text NOT NULL CHECK (summary <> ''),
    said_on     date,
    stance      text NOT NULL CHECK (stance IN ('supportive', 'opposed', 'conditional', 'neutral', 'unclear')),
    CONSTRAINT statements_have_a_speaker CHECK (speaker_id IS NOT NULL OR attribution IS NOT NULL)
);
CREATE INDEX statements_speaker_id_idx ON statements (speaker_id);
CREATE INDEX statements_nation_code_idx ON statements (nation_code);
CREATE INDEX statements_event_id_idx ON statements (event_id);

CREATE TABLE claims (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('report', 'party_claim')),
    description text NOT NULL CHECK (description <> ''),
    value       double precision,
    unit        text,
    period      text,
    location    text,
    claimed_by  text REFERENCES nations (code),
    reported_on date,
    event_id    bigint REFERENCES events (id)
);
CREATE INDEX claims_claimed_by_idx ON claims (claimed_by);
CREATE INDEX claims_event_id_idx ON claims (event_id);

CREATE TABLE citations (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source_id        bigint NOT NULL REFERENCES sources (id),
    -- Offsets count Unicode code points, as PostgreSQL's substr() does on UTF-8 text.
    start_offset     integer NOT NULL CHECK (start_offset >= 0),
    end_offset       integer NOT NULL,
    excerpt          text NOT NULL,
    commitment_id    bigint REFERENCES commitments (id) ON DELETE CASCADE,
    status_change_id bigint REFERENCES commitment_status_changes (id) ON DELETE CASCADE,
    statement_id     bigint REFERENCES statements (id) ON DELETE CASCADE,
    event_id         bigint REFERENCES events (id) ON DELETE CASCADE,
    claim_id         bigint REFERENCES claims (id) ON DELETE CASCADE,
    CONSTRAINT citations_span_not_empty CHECK (end_offset > start_offset),
    CONSTRAINT citations_cite_one_fact CHECK (num_nonnulls(commitment_id, status_change_id, statement_id, event_id, claim_id) = 1)
);
CREATE INDEX citations_source_id_idx ON citations (source_id);
CREATE INDEX citations_commitment_id_idx ON citations (commitment_id);
CREATE INDEX citations_status_change_id_idx ON citations (status_change_id);
CREATE INDEX citations_statement_id_idx ON citations (statement_id);
CREATE INDEX citations_event_id_idx ON citations (event_id);
CREATE INDEX citations_claim_id_idx ON citations (claim_id);

CREATE FUNCTION citations_excerpt_matches_source() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    source_text text;
BEGIN
    SELECT text INTO source_text FROM sources WHERE id = NEW.source_id;
    IF source_text IS NULL THEN
        RETURN NEW; -- the foreign key reports the missing source
    END IF;
    IF NEW.end_offset > char_length(source_text)
       OR substr(source_text, NEW.start_offset + 1, NEW.end_offset - NEW.start_offset) IS DISTINCT FROM NEW.excerpt THEN
        RAISE EXCEPTION 'citation excerpt does not equal the text of source % between offsets % and %',
            NEW.source_id, NEW.start_offset, NEW.end_offset
            USING ERRCODE = 'check_violation', CONSTRAINT = 'citations_excerpt_matches_source';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER citations_excerpt_matches_source BEFORE INSERT OR UPDATE ON citations
    FOR EACH ROW EXECUTE FUNCTION citations_excerpt_matches_source();

-- Every fact rests on evidence: checked when the transaction commits, so that a fact and its first
-- citation can be written in either order. Arguments: the child table and its column pointing here.
CREATE FUNCTION require_child_row() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    still_there boolean;
    has_child   boolean;
BEGIN
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE id = $1)', TG_TABLE_NAME) INTO still_there USING NEW.id;
    IF NOT still_there THEN
        RETURN NULL;
    END IF;
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE %I = $1)', TG_ARGV[0], TG_ARGV[1]) INTO has_child USING NEW.id;
    IF NOT has_child THEN
        RAISE EXCEPTION '% % has no row in %', TG_TABLE_NAME, NEW.id, TG_ARGV[0]
            USING ERRCODE = 'check_violation', CONSTRAINT = TG_TABLE_NAME || '_require_' || TG_ARGV[0];
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER commitments_require_citation AFTER INSERT ON commitments
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION require_child_row('citations', 'commitment_id');
CREATE CONSTRAINT TRIGGER commitments_require_status_history AFTER INSERT ON commitments
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION require_child_row('commitment_status_changes', 'commitment_id');
CREATE CONSTRAINT TRIGGER commitment_status_changes_require_citation AFTER INSERT ON commitment_status_changes
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION require_child_row('citations', 'status_change_id');
CREATE CONSTRAINT TRIGGER statements_require_citation AFTER INSERT ON statements
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION require_child_row('citations', 'statement_id');
CREATE CONSTRAINT TRIGGER events_require_citation AFTER INSERT ON events
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION require_child_row('citations', 'event_id');
CREATE CONSTRAINT TRIGGER claims_require_citation AFTER INSERT ON claims
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION require_child_row('citations', 'claim_id');

-- Which records the curated seed files have created, by their stable keys: loading a seed twice
-- finds its keys here and writes nothing.
CREATE TABLE seed_records (
    key       text PRIMARY KEY,
    entity    text NOT NULL,
    record_id bigint NOT NULL,
    loaded_at timestamptz NOT NULL DEFAULT now()
);
