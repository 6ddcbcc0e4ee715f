-- A search's page no longer ranks, nor even reads, every match. Its ranked matches, those
-- with a term in the title or excerpt, are few, and found through an index of the small
-- rank vectors. The rest score 0 and follow by date: when they are many, the page walks the
-- list's own index, newest first, asks of each post whether it matches, and stops at the
-- page; when they are few, it gathers them through the text's index and sorts them. A page
-- of a word in 8 % of 100,000 posts looked up every match twice, 143 ms; under load, 20
-- searches a second became 106.
CREATE INDEX post_search_ranks_rank_idx ON post_search_ranks USING gin (rank);

-- Whether `query` matches so many posts that walking a list finds a page of them sooner
-- than gathering them all. A walk reads about (page · posts / matches) vectors, a gathering
-- looks up every match, each a few times cheaper: the two cost the same near 5 · √posts
-- matches (1,600 of 100,000), and the count stops there. The posts are counted as the last
-- ANALYZE did or as the statistics have seen since, whichever is more: a table just filled
-- has not been analysed. The index is always taken, as in posts_matching.
CREATE FUNCTION posts_match_often(query tsquery) RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE SET enable_seqscan = off AS $$
DECLARE
    enough bigint := (SELECT greatest(1, ceil(5 * sqrt(greatest(reltuples, 0,
                                 pg_stat_get_live_tuples(oid)))))::bigint
                      FROM pg_class WHERE oid = 'posts'::regclass);
BEGIN
    RETURN (SELECT count(*) FROM (SELECT 1 FROM post_bodies WHERE search @@ query
                                  LIMIT enough) found) >= enough;
END
$$;
