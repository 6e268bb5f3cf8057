-- A cell of the divisions matrix shows, for each of its commitments, the ids of its live
-- citations. They were read from the citations' index, one range per commitment shown (750 for a
-- page of 50 nations by 3 kinds); a commitment now keeps them, in id order, kept true by the
-- citations' triggers: a statement that adds citations updates each commitment it cites once,
-- and a retraction, a move or a deletion updates the commitments it touches. The entries of a
-- page at a million commitments: see BENCHMARKS.md (pgbench, 8 clients: about 310 to 600
-- statements a second, both lookups gone).
ALTER TABLE commitments ADD COLUMN citation_ids bigint[] NOT NULL DEFAULT '{}';
UPDATE commitments c SET citation_ids = x.ids
  FROM (SELECT commitment_id, array_agg(id ORDER BY id) AS ids FROM citations
         WHERE commitment_id IS NOT NULL AND retracted_at IS NULL GROUP BY commitment_id) x
 WHERE x.commitment_id = c.id;

-- The commitments named in `changed` (a transition table) keep their live citations' ids anew;
-- those already right are not written.
CREATE FUNCTION commitments_follow_citations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE commitments c SET citation_ids = x.ids
      FROM (SELECT m.id, ARRAY(SELECT ci.id FROM citations ci
                                WHERE ci.commitment_id = m.id AND ci.retracted_at IS NULL ORDER BY ci.id) AS ids
              FROM (SELECT DISTINCT commitment_id AS id FROM changed WHERE commitment_id IS NOT NULL) m) x
     WHERE c.id = x.id AND c.citation_ids IS DISTINCT FROM x.ids;
    RETURN NULL;
END $$;
CREATE TRIGGER commitments_follow_citations_insert AFTER INSERT ON citations
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION commitments_follow_citations();
CREATE TRIGGER commitments_follow_citations_delete AFTER DELETE ON citations
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION commitments_follow_citations();

-- An update of a citation's commitment or retraction: both commitments, before and after.
CREATE FUNCTION commitments_follow_citation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE commitments c
       SET citation_ids = ARRAY(SELECT ci.id FROM citations ci
                                 WHERE ci.commitment_id = c.id AND ci.retracted_at IS NULL ORDER BY ci.id)
     WHERE c.id IN (OLD.commitment_id, NEW.commitment_id);
    RETURN NULL;
END $$;
CREATE TRIGGER commitments_follow_citation_update AFTER UPDATE OF commitment_id, retracted_at ON citations
    FOR EACH ROW WHEN (OLD.commitment_id IS DISTINCT FROM NEW.commitment_id
                       OR (OLD.retracted_at IS NULL) IS DISTINCT FROM (NEW.retracted_at IS NULL))
    EXECUTE FUNCTION commitments_follow_citation();
