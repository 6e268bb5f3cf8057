DROP TRIGGER commitment_follows_last_step ON commitment_status_changes;
DROP FUNCTION commitment_follows_last_step();
CREATE OR REPLACE FUNCTION commitment_status_follows_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE commitments
       SET status = NEW.status, status_modality = NEW.modality, status_changed_on = NEW.changed_on,
           steps_inferred = steps_inferred OR NEW.inferred
     WHERE id = NEW.commitment_id
       AND ((status, status_modality, status_changed_on) IS DISTINCT FROM (NEW.status, NEW.modality, NEW.changed_on)
            OR (NEW.inferred AND NOT steps_inferred));
    RETURN NULL;
END $$;
ALTER TABLE commitments DROP COLUMN status_changed_on_basis;
