ALTER TABLE posts ADD COLUMN markdown TEXT NOT NULL DEFAULT '',
                  ADD COLUMN html TEXT NOT NULL DEFAULT '',
                  ADD COLUMN plaintext TEXT NOT NULL DEFAULT '',
                  ADD COLUMN search tsvector;
ALTER TABLE posts ALTER COLUMN markdown DROP DEFAULT,
                  ALTER COLUMN html DROP DEFAULT,
                  ALTER COLUMN plaintext DROP DEFAULT;
UPDATE posts p SET markdown = b.markdown, html = b.html, plaintext = b.plaintext,
                   search = b.search
FROM post_bodies b WHERE b.post_id = p.id;
CREATE INDEX posts_search_idx ON posts USING gin (search);
DROP FUNCTION posts_matching(tsquery);
DROP TABLE post_bodies;
DROP FUNCTION posts_search_retitled(tsvector, TEXT, TEXT);
DROP FUNCTION posts_search_vector(TEXT, TEXT, TEXT);

-- As the search_cost migration left it.
CREATE FUNCTION posts_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
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
        NEW.search := OLD.search;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER posts_search BEFORE INSERT OR UPDATE ON posts
    FOR EACH ROW EXECUTE FUNCTION posts_search_vector();
