DROP INDEX commitments_nation_kind_id_idx;
CREATE INDEX commitments_nation_kind_id_idx ON commitments (nation_code, kind, id);
DROP INDEX commitments_nation_id_idx;
CREATE INDEX commitments_nation_id_idx ON commitments (nation_code, id);
DROP INDEX statements_nation_id_idx;
CREATE INDEX statements_nation_id_idx ON statements (nation_code, id);
