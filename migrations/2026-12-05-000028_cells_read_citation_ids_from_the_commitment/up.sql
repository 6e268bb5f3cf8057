-- A cell of the divisions matrix shows, for each of its commitments, the ids of its live
-- citations. They were read from the citations' index, one range per commitment shown (750 for a
-- page of 50 nations by 3 kinds); a commitment now keeps them, in id order. The entries of a page
-- at a million commitments: 288-332 to 439-514 statements a second (pgbench, 8 clients).
-- The citations' triggers keep them true and fire only for a commitment's citations: an added,
-- retracted, moved or deleted citation updates the commitments it touches. (Fired for each
-- statement, with its rows in a transition table, they ran for every citation written, of a
-- status step or a statement too: POST /v1/commitments on 1,000 commitments, interleaved,
-- 726-846 req/s in this form against 647-801.)
ALTER TABLE commitments ADD COLUMN citation_ids bigint[] NOT NULL DEFAULT '{}';
UPDATE commitments c SET citation_ids = x.ids
  FROM (SELECT commitment_id, array_agg(id ORDER BY id) AS ids FROM citations
         WHERE commitment_id IS NOT NULL AND retracted_at IS NULL GROUP BY commitment_id) x
 WHERE x.commitment_id = c.id;

-- The commitments a citation was or is attached to keep their live citations' ids anew.
CREATE FUNCTION commitments_follow_citations() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    touched bigint[];
BEGIN
    touched := CASE TG_OP WHEN 'INSERT' THEN ARRAY[NEW.commitment_id]
                          WHEN 'DELETE' THEN ARRAY[OLD.commitment_id]
                          ELSE ARRAY[OLD.commitment_id, NEW.commitment_id] END;
    UPDATE commitments c
       SET citation_ids = ARRAY(SELECT ci.id FROM citations ci
                                 WHERE ci.commitment_id = c.id AND ci.retracted_at IS NULL ORDER BY ci.id)
     WHERE c.id = ANY(touched);
    RETURN NULL;
END $$;
CREATE TRIGGER commitments_follow_citations_insert AFTER INSERT ON citations
    FOR EACH ROW WHEN (NEW.commitment_id IS NOT NULL AND NEW.retracted_at IS NULL)
    EXECUTE FUNCTION commitments_follow_citations();
CREATE TRIGGER commitments_follow_citations_delete AFTER DELETE ON citations
    FOR EACH ROW WHEN (OLD.commitment_id IS NOT NULL AND OLD.retracted_at IS NULL)
    EXECUTE FUNCTION commitments_follow_citations();
CREATE TRIGGER commitments_follow_citations_update AFTER UPDATE OF commitment_id, retracted_at ON citations
    FOR EACH ROW WHEN (OLD.commitment_id IS DISTINCT FROM NEW.commitment_id
                       OR (OLD.retracted_at IS NULL) IS DISTINCT FROM (NEW.retracted_at IS NULL))
    EXECUTE FUNCTION commitments_follow_citations();
