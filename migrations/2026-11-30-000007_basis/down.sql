ALTER TABLE commitment_status_changes DROP COLUMN modality;
UPDATE commitment_status_changes SET status = 'pledged' WHERE status = 'endorsed';
UPDATE commitments SET status = 'pledged' WHERE status = 'endorsed';
ALTER TABLE commitment_status_changes DROP CONSTRAINT commitment_status_changes_status_check;
ALTER TABLE commitment_status_changes ADD CONSTRAINT commitment_status_changes_status_check
    CHECK (status IN ('proposed', 'pledged', 'in_progress', 'delivered', 'refused', 'withdrawn', 'omitted'));
ALTER TABLE commitments DROP CONSTRAINT commitments_status_check;
ALTER TABLE commitments ADD CONSTRAINT commitments_status_check
    CHECK (status IN ('proposed', 'pledged', 'in_progress', 'delivered', 'refused', 'withdrawn', 'omitted'));
ALTER TABLE claims DROP COLUMN inferred, DROP COLUMN basis;
ALTER TABLE events DROP COLUMN inferred, DROP COLUMN basis;
ALTER TABLE statements DROP COLUMN inferred, DROP COLUMN basis;
ALTER TABLE commitment_status_changes DROP COLUMN inferred, DROP COLUMN basis;
ALTER TABLE commitments DROP COLUMN inferred, DROP COLUMN basis;
DROP FUNCTION basis_is_valid(jsonb);
