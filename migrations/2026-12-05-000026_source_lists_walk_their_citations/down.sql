DROP INDEX citations_source_id_idx;
CREATE INDEX citations_source_id_idx ON citations (source_id);
