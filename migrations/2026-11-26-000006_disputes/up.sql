-- When sources disagree on a value of a fact (a date, a number, a status: whether a nation signed),
-- the fact keeps its own value and each competing value is kept beside it with its own citations,
-- so that the fact reads as disputed: never one silent winner.
CREATE TABLE competing_values (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    commitment_id     bigint REFERENCES commitments (id) ON DELETE CASCADE,
    statement_id      bigint REFERENCES statements (id) ON DELETE CASCADE,
    event_id          bigint REFERENCES events (id) ON DELETE CASCADE,
    claim_id          bigint REFERENCES claims (id) ON DELETE CASCADE,
    field             text NOT NULL CHECK (field IN (
        'quantity', 'status', 'role', 'conditions', 'announced_on',
        'quote', 'stance', 'said_on',
        'occurred_on', 'location', 'attendance',
        'value', 'unit', 'reported_on')),
    -- The value as the API writes the field.
    value             jsonb NOT NULL,
    note              text,
    recorded_at       timestamptz NOT NULL DEFAULT now(),
    retracted_at      timestamptz,
    retraction_reason text,
    CONSTRAINT competing_values_of_one_fact CHECK (num_nonnulls(commitment_id, statement_id, event_id, claim_id) = 1),
    CONSTRAINT competing_values_retraction_has_reason CHECK ((retracted_at IS NULL) = (retraction_reason IS NULL))
);
CREATE INDEX competing_values_commitment_id_idx ON competing_values (commitment_id);
CREATE INDEX competing_values_statement_id_idx ON competing_values (statement_id);
CREATE INDEX competing_values_event_id_idx ON competing_values (event_id);
CREATE INDEX competing_values_claim_id_idx ON competing_values (claim_id);

ALTER TABLE citations ADD COLUMN competing_value_id bigint REFERENCES competing_values (id) ON DELETE CASCADE;
CREATE INDEX citations_competing_value_id_idx ON citations (competing_value_id);
ALTER TABLE citations DROP CONSTRAINT citations_cite_one_fact;
ALTER TABLE citations ADD CONSTRAINT citations_cite_one_fact
    CHECK (num_nonnulls(commitment_id, status_change_id, statement_id, event_id, claim_id, competing_value_id) = 1);

CREATE CONSTRAINT TRIGGER competing_values_require_citation AFTER INSERT ON competing_values
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION require_child_row('citations', 'competing_value_id');

ALTER TABLE revisions DROP CONSTRAINT revisions_action_check;
ALTER TABLE revisions ADD CONSTRAINT revisions_action_check
    CHECK (action IN ('create', 'update', 'status', 'retract', 'cite', 'dispute'));
