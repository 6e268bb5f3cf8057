-- A cell of the divisions matrix counts its live commitments by summing its tallies (one row per
-- status: seven). By the key alone each row was then read from the table, where the seven lie on
-- seven pages (10 page visits a cell, 1,489 of the 2,517 a page of 150 cells made at a million
-- commitments); with the count beside the key they are read from the index alone. The cells of a
-- page: 588-623 to 720-765 statements a second (pgbench, 8 clients); POST /v1/commitments, whose
-- tally updates can no longer be HOT, showed no loss (413-440 before, 436-533 after).
ALTER TABLE commitment_tallies DROP CONSTRAINT commitment_tallies_pkey,
    ADD PRIMARY KEY (event_id, nation_code, kind, status) INCLUDE (n);
