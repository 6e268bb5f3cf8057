DROP TRIGGER commitments_follow_citations_update ON citations;
DROP TRIGGER commitments_follow_citations_insert ON citations;
DROP TRIGGER commitments_follow_citations_delete ON citations;
DROP FUNCTION commitments_follow_citations();
ALTER TABLE commitments DROP COLUMN citation_ids;
