-- A replayed answer carries the first answer's headers too: where the record lives, and its
-- version then.
ALTER TABLE idempotency_keys ADD COLUMN location text, ADD COLUMN version integer;
