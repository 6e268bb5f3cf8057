DROP TABLE idempotency_keys;
DROP TABLE revisions;
ALTER TABLE citations DROP CONSTRAINT citations_retraction_has_reason, DROP COLUMN retraction_reason, DROP COLUMN retracted_at;
ALTER TABLE claims DROP CONSTRAINT claims_retraction_has_reason, DROP COLUMN retraction_reason, DROP COLUMN retracted_at;
ALTER TABLE statements DROP CONSTRAINT statements_retraction_has_reason, DROP COLUMN retraction_reason, DROP COLUMN retracted_at;
ALTER TABLE commitments DROP CONSTRAINT commitments_retraction_has_reason, DROP COLUMN retraction_reason, DROP COLUMN retracted_at;
ALTER TABLE events DROP CONSTRAINT events_retraction_has_reason, DROP COLUMN retraction_reason, DROP COLUMN retracted_at;
ALTER TABLE people DROP CONSTRAINT people_retraction_has_reason, DROP COLUMN retraction_reason, DROP COLUMN retracted_at;
ALTER TABLE sources DROP CONSTRAINT sources_retraction_has_reason, DROP COLUMN retraction_reason, DROP COLUMN retracted_at;
