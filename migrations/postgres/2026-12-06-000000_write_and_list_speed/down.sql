ALTER TABLE revisions ALTER COLUMN snapshot SET STORAGE EXTENDED;
DO $$
BEGIN
    ALTER TABLE posts ALTER COLUMN markdown SET COMPRESSION DEFAULT,
                      ALTER COLUMN html SET COMPRESSION DEFAULT,
                      ALTER COLUMN plaintext SET COMPRESSION DEFAULT;
EXCEPTION WHEN feature_not_supported OR syntax_error THEN
    NULL;
END
$$;
DROP TRIGGER posts_search ON posts;
DROP FUNCTION posts_search_vector();
DROP INDEX posts_search_idx;
ALTER TABLE posts DROP COLUMN search;
ALTER TABLE posts ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', regexp_replace(title, '[^[:alnum:]]+', ' ', 'g')), 'A')
    || setweight(to_tsvector('simple', regexp_replace(excerpt, '[^[:alnum:]]+', ' ', 'g')), 'B')
    || setweight(
        to_tsvector('simple', regexp_replace(left(plaintext, 250000), '[^[:alnum:]]+', ' ', 'g')),
        'C'
    )
) STORED;
CREATE INDEX posts_search_idx ON posts USING GIN (search);
CREATE INDEX posts_all_idx ON posts (kind, published_at DESC, created_at DESC, id DESC);
DROP INDEX posts_staff_idx;
