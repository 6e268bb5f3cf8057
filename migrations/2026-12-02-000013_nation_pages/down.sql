CREATE INDEX statements_nation_code_idx ON statements (nation_code);
DROP INDEX statements_nation_id_idx;
DROP INDEX commitments_nation_id_idx;
