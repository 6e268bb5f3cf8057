ALTER TABLE commitment_tallies DROP CONSTRAINT commitment_tallies_pkey,
    ADD PRIMARY KEY (event_id, nation_code, kind, status);
