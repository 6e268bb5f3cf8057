CREATE STATISTICS revisions_retracted_stats ON (after ->> 'retracted') FROM revisions;

CREATE OR REPLACE FUNCTION revisions_close_previous() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE revisions SET valid_until = NEW.changed_at, search_vector = revision_search_vector(entity, after)
     WHERE entity = NEW.entity AND record_id = NEW.record_id AND valid_until IS NULL;
    NEW.valid_until := NULL;
    NEW.search_vector := NULL;
    NEW.nation := NEW.after ->> 'nation';
    RETURN NEW;
END $$;

ALTER TABLE revisions DROP COLUMN retraction;
