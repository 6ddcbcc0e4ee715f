-- SQL cannot render Markdown: the plain text comes back as the Markdown itself, until each
-- post is next written.
CREATE TABLE post_bodies_unpacked (
    post_id   TEXT PRIMARY KEY NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    markdown  TEXT NOT NULL,
    html      TEXT NOT NULL,
    plaintext TEXT NOT NULL
);
INSERT INTO post_bodies_unpacked (post_id, markdown, html, plaintext)
SELECT post_id, folio_text(markdown), folio_text(html), folio_text(markdown)
FROM post_bodies ORDER BY post_id;
DROP TABLE post_bodies;
ALTER TABLE post_bodies_unpacked RENAME TO post_bodies;

ALTER TABLE posts DROP COLUMN text_start;
ALTER TABLE posts DROP COLUMN image_count;
ALTER TABLE posts DROP COLUMN word_count;
