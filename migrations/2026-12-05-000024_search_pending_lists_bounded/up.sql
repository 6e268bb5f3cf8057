-- A GIN index takes new entries into a pending list, merged into its tree when the list passes
-- gin_pending_list_limit (4 MB by default) or when autovacuum comes by. Every search reads the
-- whole pending list of each index it uses, so a search's cost grew with the records written
-- since the last merge, whatever the page asked for: with the generator's claims and events all
-- pending (their words are made after their indexes are built), a search for one word at a
-- million commitments spent 2.6 ms in the claims' list and chose to read the events whole
-- (2.5 ms) over an index priced by its list; 9.8 ms in all, 4.5 ms once merged. A limit of
-- 64 kB bounds that read at 8 pages per index; the writer that fills the list merges it.
ALTER INDEX commitments_search_idx SET (gin_pending_list_limit = 64);
ALTER INDEX statements_search_idx SET (gin_pending_list_limit = 64);
ALTER INDEX claims_search_idx SET (gin_pending_list_limit = 64);
ALTER INDEX events_search_idx SET (gin_pending_list_limit = 64);
ALTER INDEX sources_search_idx SET (gin_pending_list_limit = 64);
ALTER INDEX revisions_search_idx SET (gin_pending_list_limit = 64);
SELECT gin_clean_pending_list(i.indexrelid::regclass)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
 WHERE a.amname = 'gin' AND c.relnamespace = 'public'::regnamespace;
