DELETE FROM revisions WHERE action = 'dispute';
ALTER TABLE revisions DROP CONSTRAINT revisions_action_check;
ALTER TABLE revisions ADD CONSTRAINT revisions_action_check
    CHECK (action IN ('create', 'update', 'status', 'retract', 'cite'));
DELETE FROM citations WHERE competing_value_id IS NOT NULL;
ALTER TABLE citations DROP CONSTRAINT citations_cite_one_fact;
ALTER TABLE citations ADD CONSTRAINT citations_cite_one_fact
    CHECK (num_nonnulls(commitment_id, status_change_id, statement_id, event_id, claim_id) = 1);
ALTER TABLE citations DROP COLUMN competing_value_id;
DROP TABLE competing_values;
