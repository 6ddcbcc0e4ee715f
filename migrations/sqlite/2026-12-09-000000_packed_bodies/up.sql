-- Plain text is no longer stored: it is the Markdown's, made again on the rare read that
-- asks for it, and the search index takes it as a post is written. What Ghost's answers are
-- made of it is counted once, on the post's row: the words and images of its reading time
-- and the 500 characters of its excerpt.
ALTER TABLE posts ADD COLUMN word_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE posts ADD COLUMN image_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE posts ADD COLUMN text_start TEXT NOT NULL DEFAULT '';
UPDATE posts SET (word_count, image_count, text_start) = (
    SELECT folio_words(b.plaintext),
           (length(b.html) - length(replace(b.html, '<img', ''))) / 4,
           substr(b.plaintext, 1, 500)
    FROM post_bodies b WHERE b.post_id = posts.id
);

-- The bodies are packed (zstd frames: `db::text`), in one pass over the table rather than a
-- column drop and an update, two.
CREATE TABLE post_bodies_packed (
    post_id  TEXT PRIMARY KEY NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    -- A zstd frame, or text as it was written before bodies were packed: folio_text reads
    -- either.
    markdown BLOB NOT NULL,
    html     BLOB NOT NULL
);
INSERT INTO post_bodies_packed (post_id, markdown, html)
SELECT post_id, folio_pack(markdown), folio_pack(html) FROM post_bodies ORDER BY post_id;
DROP TABLE post_bodies;
ALTER TABLE post_bodies_packed RENAME TO post_bodies;
