-- Plain text is no longer stored: it is the Markdown's, made again on the rare read that
-- asks for it, and the search vector takes it as a post is written. What Ghost's answers
-- are made of it is counted once, on the post's row: the words and images of its reading
-- time and the 500 characters of its excerpt. Words are runs between ASCII whitespace, as
-- `db::text::words` counts them.
ALTER TABLE posts ADD COLUMN word_count INTEGER NOT NULL DEFAULT 0,
                  ADD COLUMN image_count INTEGER NOT NULL DEFAULT 0,
                  ADD COLUMN text_start TEXT NOT NULL DEFAULT '';
UPDATE posts p SET word_count = regexp_count(b.plaintext, '[^ \t\n\f\r]+'),
                   image_count = (length(b.html) - length(replace(b.html, '<img', ''))) / 4,
                   text_start = left(b.plaintext, 500)
FROM post_bodies b WHERE b.post_id = p.id;
-- The space is the server's again after `VACUUM FULL post_bodies` (see the README).
ALTER TABLE post_bodies DROP COLUMN plaintext;

-- The server compresses the bodies itself (TOAST): a stored body is its text. SQLite's
-- function of this name unpacks Folio's frames; this one lets a query read a body the same
-- way on both, and the planner inlines it.
CREATE FUNCTION folio_text(stored TEXT) RETURNS TEXT
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT stored $$;
