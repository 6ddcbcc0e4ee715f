DROP FUNCTION posts_match_often(tsquery);
DROP INDEX post_search_ranks_rank_idx;
