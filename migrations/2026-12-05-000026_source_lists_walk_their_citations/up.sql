-- A list of the commitments citing a source (`/v1/commitments?source=N`) walks the source's
-- citations in commitment order and stops at the page's end. By (source_id) alone the citations
-- came in no useful order: PostgreSQL read them all and sorted them, or walked the commitments
-- from the first until a page of them cited the source. At a million commitments, for a source
-- cited by 5,000 of them (one in 200): 12 ms and 3,900 pages, against 1.5 ms and 420 pages with
-- the commitment's id in the key. This replaces the index it extends, which served lookups by
-- source alone (a source's dependents, its tallies), as this one does.
DROP INDEX citations_source_id_idx;
CREATE INDEX citations_source_id_idx ON citations (source_id, commitment_id);
