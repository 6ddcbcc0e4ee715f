-- The bodies (Markdown, HTML, plain text) and the search vector made of them move to a table
-- of their own, so that a post's row holds only what lists filter, order and show. Every
-- change to a post wrote a new version of its row, and every new row version was indexed
-- again in the search index, its whole vector: publishing, featuring or tagging a post cost
-- as much as rewriting its text. Now only a change to the words a search sees (title,
-- excerpt, text) writes post_bodies, and only then is the vector indexed again.
--
-- Folio writes the vector itself, beside the bodies, with the two functions below
-- (src/posts/storage.rs): a trigger could not tell a text edit, which changes posts and
-- post_bodies in one write, from a retitle, and would index the vector twice.
CREATE TABLE post_bodies (
    post_id   TEXT PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
    markdown  TEXT NOT NULL,
    html      TEXT NOT NULL,
    plaintext TEXT NOT NULL,
    search    tsvector NOT NULL
);

-- As write_and_list_speed set them on posts.
DO $$
BEGIN
    ALTER TABLE post_bodies ALTER COLUMN markdown SET COMPRESSION lz4,
                            ALTER COLUMN html SET COMPRESSION lz4,
                            ALTER COLUMN plaintext SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value OR syntax_error THEN
    RAISE NOTICE 'lz4 is not available: the bodies stay compressed with pglz';
END
$$;

DROP TRIGGER posts_search ON posts;
DROP FUNCTION posts_search_vector();

-- A post's vector: its title (weight A), excerpt (B) and text (C), the text's first 250,000
-- characters (a tsvector holds at most 1 MB).
CREATE FUNCTION posts_search_vector(title TEXT, excerpt TEXT, plaintext TEXT) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT posts_words(title, 'A') || posts_words(excerpt, 'B')
        || posts_words(left(plaintext, 250000), 'C')
$$;

-- The vector after a new title or excerpt, the text unchanged: its words (C) are kept, with
-- their positions, rather than tokenised again, and the new title and excerpt follow them.
-- (Following, not preceding: `||` shifts its right side's positions past the left side's,
-- and the text's must not drift with every retitle. A phrase within one field matches as
-- before; only the distance between words of two fields changes.)
CREATE FUNCTION posts_search_retitled(search tsvector, title TEXT, excerpt TEXT)
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ts_filter(search, '{c}') || posts_words(title, 'A') || posts_words(excerpt, 'B')
$$;

-- The vectors move as they are: nothing is tokenised again.
INSERT INTO post_bodies (post_id, markdown, html, plaintext, search)
SELECT id, markdown, html, plaintext,
       coalesce(search, posts_search_vector(title, excerpt, plaintext))
FROM posts;

CREATE INDEX post_bodies_search_idx ON post_bodies USING gin (search);

-- The posts whose vector matches `query`, always found through the index. post_bodies' own
-- rows are small (its bodies and vectors are stored out of line), so the planner takes
-- reading them all for cheap, and does, not seeing that each row's vector must then be
-- fetched and decompressed: at 1,000 posts that took 8 ms where the index takes 1.
CREATE FUNCTION posts_matching(query tsquery) RETURNS SETOF TEXT
LANGUAGE plpgsql STABLE PARALLEL SAFE ROWS 1000 SET enable_seqscan = off AS $$
BEGIN
    RETURN QUERY SELECT post_id FROM post_bodies WHERE search @@ query;
END
$$;

-- Dropping columns is instant: the old rows keep the dropped values until they are written
-- again (or `VACUUM FULL posts` rewrites them all at once, see the README).
DROP INDEX posts_search_idx;
ALTER TABLE posts DROP COLUMN markdown,
                  DROP COLUMN html,
                  DROP COLUMN plaintext,
                  DROP COLUMN search;
