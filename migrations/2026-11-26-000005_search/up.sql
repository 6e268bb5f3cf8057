-- Full-text search: each searchable record keeps its words as a stored tsvector (English
-- stemming), kept current by the database itself, with a GIN index.
ALTER TABLE commitments ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    to_tsvector('english', summary || ' ' || coalesce(conditions, '') || ' ' || coalesce(quantity_text, '') || ' ' || coalesce(quantity_unit, ''))
) STORED;
ALTER TABLE statements ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    to_tsvector('english', summary || ' ' || coalesce(quote, '') || ' ' || coalesce(attribution, ''))
) STORED;
ALTER TABLE claims ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    to_tsvector('english', description || ' ' || coalesce(unit, '') || ' ' || coalesce(period, '') || ' ' || coalesce(location, ''))
) STORED;
ALTER TABLE events ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    to_tsvector('english', title || ' ' || coalesce(description, '') || ' ' || coalesce(location, '') || ' ' || coalesce(attendance, ''))
) STORED;
ALTER TABLE sources ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    to_tsvector('english', title || ' ' || text)
) STORED;
CREATE INDEX commitments_search_idx ON commitments USING gin (search_vector);
CREATE INDEX statements_search_idx ON statements USING gin (search_vector);
CREATE INDEX claims_search_idx ON claims USING gin (search_vector);
CREATE INDEX events_search_idx ON events USING gin (search_vector);
CREATE INDEX sources_search_idx ON sources USING gin (search_vector);
