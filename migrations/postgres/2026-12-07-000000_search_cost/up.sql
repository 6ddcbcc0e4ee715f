-- A retitle tokenises the new title only. The text's part of the vector (weights B and C) is
-- kept as it was, with ts_filter, and the title's (A) is appended to it: appended, not put in
-- front, because `||` shifts the positions of its right side past the left side's, and the
-- text's positions must not drift further with every retitle (they are capped at 16383, past
-- which phrases cannot be told apart). A phrase within the title, or within the text, matches
-- as before; only the distance between a title word and a text word changes, which ranking
-- weighs a little and matching not at all. A changed excerpt or text is tokenised afresh, in
-- the order the first vector of a post has.
-- One field's words as the search sees them (letters and digits; see src/posts/search.rs),
-- weighted: what every vector below is made of.
CREATE FUNCTION posts_words(field TEXT, weight "char") RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT setweight(to_tsvector('simple', regexp_replace(field, '[^[:alnum:]]+', ' ', 'g')), weight)
$$;

CREATE OR REPLACE FUNCTION posts_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT'
        OR NEW.excerpt IS DISTINCT FROM OLD.excerpt
        OR NEW.plaintext IS DISTINCT FROM OLD.plaintext
    THEN
        NEW.search := posts_words(NEW.title, 'A') || posts_words(NEW.excerpt, 'B')
            || posts_words(left(NEW.plaintext, 250000), 'C');
    ELSIF NEW.title IS DISTINCT FROM OLD.title THEN
        NEW.search := ts_filter(OLD.search, '{b,c}') || posts_words(NEW.title, 'A');
    ELSE
        -- Nothing but this trigger writes the vector.
        NEW.search := OLD.search;
    END IF;
    RETURN NEW;
END
$$;

-- How well a post matches is judged by its title (weight A) and excerpt (B) only, kept here
-- as a small vector of its own; the text decides whether a post matches, not its place.
-- Ranking by the whole vector read every match's vector, which is the size of its text and
-- stored out of line: a common word at 100k posts read about 100 MB for one page. This
-- vector is a few hundred bytes, and lives beside posts rather than in it, so that creating
-- it rewrites no post (a rewritten row is indexed again, its whole search vector included).
CREATE TABLE post_search_ranks (
    post_id TEXT PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
    rank    tsvector NOT NULL
);

CREATE FUNCTION posts_rank_vector(title TEXT, excerpt TEXT) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT posts_words(title, 'A') || posts_words(excerpt, 'B')
$$;

INSERT INTO post_search_ranks (post_id, rank)
SELECT id, posts_rank_vector(title, excerpt) FROM posts;

CREATE FUNCTION posts_keep_rank() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO post_search_ranks (post_id, rank)
    VALUES (NEW.id, posts_rank_vector(NEW.title, NEW.excerpt))
    ON CONFLICT (post_id) DO UPDATE SET rank = EXCLUDED.rank;
    RETURN NULL;
END
$$;

CREATE TRIGGER posts_rank_insert AFTER INSERT ON posts
    FOR EACH ROW EXECUTE FUNCTION posts_keep_rank();
CREATE TRIGGER posts_rank_update AFTER UPDATE OF title, excerpt ON posts
    FOR EACH ROW WHEN (NEW.title IS DISTINCT FROM OLD.title OR NEW.excerpt IS DISTINCT FROM OLD.excerpt)
    EXECUTE FUNCTION posts_keep_rank();
