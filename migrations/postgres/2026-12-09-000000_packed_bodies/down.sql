-- SQL cannot render Markdown: the plain text comes back as the Markdown itself, until each
-- post is next written.
DROP FUNCTION folio_text(TEXT);
ALTER TABLE post_bodies ADD COLUMN plaintext TEXT NOT NULL DEFAULT '';
UPDATE post_bodies SET plaintext = markdown;
ALTER TABLE post_bodies ALTER COLUMN plaintext DROP DEFAULT;
ALTER TABLE posts DROP COLUMN text_start, DROP COLUMN image_count, DROP COLUMN word_count;
