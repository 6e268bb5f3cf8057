-- A nation's commitments and statements are listed in id order: an index on (nation_code, id)
-- walks them in that order from the cursor, where one on nation_code alone (or on nation_code
-- and kind) had every one of the nation's records read and sorted for each page. The statements'
-- one replaces the index of their foreign key, which it serves as well.
CREATE INDEX commitments_nation_id_idx ON commitments (nation_code, id);
CREATE INDEX statements_nation_id_idx ON statements (nation_code, id);
DROP INDEX statements_nation_code_idx;
