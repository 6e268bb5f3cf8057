ALTER TABLE sources DROP COLUMN search_vector;
ALTER TABLE events DROP COLUMN search_vector;
ALTER TABLE claims DROP COLUMN search_vector;
ALTER TABLE statements DROP COLUMN search_vector;
ALTER TABLE commitments DROP COLUMN search_vector;
