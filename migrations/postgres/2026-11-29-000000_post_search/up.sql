-- Full-text search over posts: title (weight A), excerpt (B) and text (C), kept in step with
-- every write by the database itself. Not in src/db/schema.rs: only the search reads it.
--
-- The 'simple' configuration: no stemming and no stop words, so a word matches as written in
-- any language, and a prefix matches what the reader typed ('datab' finds 'database', which an
-- English stemmer would have stored as 'databas').
--
-- Everything but letters and digits becomes a space first, as the query parser and SQLite's
-- tokenizer treat it: PostgreSQL's parser would otherwise keep 'example.com', 'a@b.org' or
-- '3.14' as single words that a search for 'example' or '3' never finds.
--
-- Only the first 250,000 characters of the text are indexed: a tsvector holds at most 1 MB,
-- each character can cost up to 4 bytes of it, and a longer text of many distinct words would
-- make the write fail.
ALTER TABLE posts ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', regexp_replace(title, '[^[:alnum:]]+', ' ', 'g')), 'A')
    || setweight(to_tsvector('simple', regexp_replace(excerpt, '[^[:alnum:]]+', ' ', 'g')), 'B')
    || setweight(
        to_tsvector('simple', regexp_replace(left(plaintext, 250000), '[^[:alnum:]]+', ' ', 'g')),
        'C'
    )
) STORED;

CREATE INDEX posts_search_idx ON posts USING GIN (search);
