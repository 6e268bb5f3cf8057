-- A nation's lists (commitments by nation, by nation and kind; statements by nation) walk
-- (nation_code[, kind], id) in id order from the cursor. Those indexes did not hold retracted_at,
-- which every live list filters on: each entry walked cost a visit to the table, so the planner
-- preferred either to read the nation's whole cell from the index of cells and sort it (a cost
-- that grows with the nation's records), or to walk the primary key and discard other nations'
-- rows, counting on them to be spread evenly. Where they were not (a nation's commitments added
-- last), one page of 51 read 100,017 rows (40.7 ms against 1.06 ms with this index, 100,000
-- commitments). With retracted_at carried in the index, the walk reads the index alone and stops
-- at the page's end; lists that include retracted records read it the same way.
DROP INDEX commitments_nation_kind_id_idx;
CREATE INDEX commitments_nation_kind_id_idx ON commitments (nation_code, kind, id) INCLUDE (retracted_at);
DROP INDEX commitments_nation_id_idx;
CREATE INDEX commitments_nation_id_idx ON commitments (nation_code, id) INCLUDE (retracted_at);
DROP INDEX statements_nation_id_idx;
CREATE INDEX statements_nation_id_idx ON statements (nation_code, id) INCLUDE (retracted_at);
