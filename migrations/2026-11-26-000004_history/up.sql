-- The history of every record, and retraction instead of deletion: nothing written is ever lost.

ALTER TABLE sources ADD COLUMN retracted_at timestamptz, ADD COLUMN retraction_reason text,
    ADD CONSTRAINT sources_retraction_has_reason CHECK ((retracted_at IS NULL) = (retraction_reason IS NULL));
ALTER TABLE people ADD COLUMN retracted_at timestamptz, ADD COLUMN retraction_reason text,
    ADD CONSTRAINT people_retraction_has_reason CHECK ((retracted_at IS NULL) = (retraction_reason IS NULL));
ALTER TABLE events ADD COLUMN retracted_at timestamptz, ADD COLUMN retraction_reason text,
    ADD CONSTRAINT events_retraction_has_reason CHECK ((retracted_at IS NULL) = (retraction_reason IS NULL));
ALTER TABLE commitments ADD COLUMN retracted_at timestamptz, ADD COLUMN retraction_reason text,
    ADD CONSTRAINT commitments_retraction_has_reason CHECK ((retracted_at IS NULL) = (retraction_reason IS NULL));
ALTER TABLE statements ADD COLUMN retracted_at timestamptz, ADD COLUMN retraction_reason text,
    ADD CONSTRAINT statements_retraction_has_reason CHECK ((retracted_at IS NULL) = (retraction_reason IS NULL));
ALTER TABLE claims ADD COLUMN retracted_at timestamptz, ADD COLUMN retraction_reason text,
    ADD CONSTRAINT claims_retraction_has_reason CHECK ((retracted_at IS NULL) = (retraction_reason IS NULL));
ALTER TABLE citations ADD COLUMN retracted_at timestamptz, ADD COLUMN retraction_reason text,
    ADD CONSTRAINT citations_retraction_has_reason CHECK ((retracted_at IS NULL) = (retraction_reason IS NULL));

-- One row per version of a record: its API representation after the change and before it, who
-- made the change and when (the time of the writing transaction, so one write is one moment).
-- Reads `as_of` a time answer from here.
CREATE TABLE revisions (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entity     text NOT NULL CHECK (entity IN ('sources', 'people', 'events', 'commitments', 'statements', 'claims', 'citations')),
    record_id  bigint NOT NULL,
    version    integer NOT NULL CHECK (version >= 1),
    action     text NOT NULL CHECK (action IN ('create', 'update', 'status', 'retract', 'cite')),
    changed_at timestamptz NOT NULL DEFAULT now(),
    key_id     bigint REFERENCES api_keys (id),
    before     jsonb,
    after      jsonb NOT NULL,
    UNIQUE (entity, record_id, version)
);
CREATE INDEX revisions_key_id_idx ON revisions (key_id);
CREATE INDEX revisions_changed_at_idx ON revisions (changed_at);

-- A POST sent again with the same Idempotency-Key answers what the first one answered.
CREATE TABLE idempotency_keys (
    key_id          bigint NOT NULL REFERENCES api_keys (id),
    idempotency_key text NOT NULL CHECK (idempotency_key <> '' AND length(idempotency_key) <= 200),
    request_sha256  text NOT NULL,
    status          integer NOT NULL,
    response        text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (key_id, idempotency_key)
);
