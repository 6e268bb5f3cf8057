ALTER INDEX commitments_search_idx RESET (gin_pending_list_limit);
ALTER INDEX statements_search_idx RESET (gin_pending_list_limit);
ALTER INDEX claims_search_idx RESET (gin_pending_list_limit);
ALTER INDEX events_search_idx RESET (gin_pending_list_limit);
ALTER INDEX sources_search_idx RESET (gin_pending_list_limit);
ALTER INDEX revisions_search_idx RESET (gin_pending_list_limit);
