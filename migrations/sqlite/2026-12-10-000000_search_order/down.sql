-- SQL cannot render Markdown: the index takes the Markdown in place of the plain text, until
-- each post is next written.
DROP TABLE posts_fts;
CREATE VIRTUAL TABLE posts_fts USING fts5 (
    title,
    excerpt,
    plaintext,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO posts_fts (rowid, title, excerpt, plaintext)
SELECT p.rowid, p.title, p.excerpt, folio_text(b.markdown)
FROM posts p JOIN post_bodies b ON b.post_id = p.id;

DROP INDEX posts_search_key_idx;
ALTER TABLE posts DROP COLUMN search_key;
