DROP INDEX commitment_status_changes_commitment_id_idx;
CREATE INDEX commitment_status_changes_commitment_id_idx ON commitment_status_changes (commitment_id);
DROP INDEX citations_commitment_id_idx;
CREATE INDEX citations_commitment_id_idx ON citations (commitment_id) WHERE commitment_id IS NOT NULL;
