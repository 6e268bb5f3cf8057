-- A cell of the divisions matrix shows, for each of its commitments, the basis of its current
-- status's date: the last status step's `basis -> 'changed_on'`. It was read from the steps, one
-- lookup per commitment shown (750 for a page of 50 nations by 3 kinds); it is now kept on the
-- commitment beside the status, modality and date it already keeps from that step. The entries
-- of a page at a million commitments: 213-238 to 311-352 statements a second (pgbench, 8 clients).
ALTER TABLE commitments ADD COLUMN status_changed_on_basis jsonb;
UPDATE commitments c SET status_changed_on_basis = s.basis -> 'changed_on'
  FROM (SELECT DISTINCT ON (commitment_id) commitment_id, basis FROM commitment_status_changes
         ORDER BY commitment_id, id DESC) s
 WHERE s.commitment_id = c.id AND s.basis ? 'changed_on';

-- A new step sets what the commitment keeps of it in one update, and none when all of it already
-- holds.
CREATE OR REPLACE FUNCTION commitment_status_follows_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE commitments
       SET status = NEW.status, status_modality = NEW.modality, status_changed_on = NEW.changed_on,
           status_changed_on_basis = NEW.basis -> 'changed_on',
           steps_inferred = steps_inferred OR NEW.inferred
     WHERE id = NEW.commitment_id
       AND ((status, status_modality, status_changed_on, status_changed_on_basis)
                IS DISTINCT FROM (NEW.status, NEW.modality, NEW.changed_on, NEW.basis -> 'changed_on')
            OR (NEW.inferred AND NOT steps_inferred));
    RETURN NULL;
END $$;

-- A correction of a commitment's last step (its date's basis is set once its citations exist)
-- reaches what the commitment keeps of it; a correction of an earlier step does not.
CREATE FUNCTION commitment_follows_last_step() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE commitments
       SET status = NEW.status, status_modality = NEW.modality, status_changed_on = NEW.changed_on,
           status_changed_on_basis = NEW.basis -> 'changed_on'
     WHERE id = NEW.commitment_id
       AND NOT EXISTS (SELECT 1 FROM commitment_status_changes s
                        WHERE s.commitment_id = NEW.commitment_id AND s.id > NEW.id)
       AND (status, status_modality, status_changed_on, status_changed_on_basis)
               IS DISTINCT FROM (NEW.status, NEW.modality, NEW.changed_on, NEW.basis -> 'changed_on');
    RETURN NULL;
END $$;
CREATE TRIGGER commitment_follows_last_step
    AFTER UPDATE OF status, modality, changed_on, basis ON commitment_status_changes
    FOR EACH ROW WHEN ((OLD.status, OLD.modality, OLD.changed_on, OLD.basis -> 'changed_on')
                       IS DISTINCT FROM (NEW.status, NEW.modality, NEW.changed_on, NEW.basis -> 'changed_on'))
    EXECUTE FUNCTION commitment_follows_last_step();
