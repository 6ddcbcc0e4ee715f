-- The staff list (every status, drafts first, then newest) walks an index and stops at a
-- page, instead of sorting every post of the kind: drafts have no date, and the order puts
-- them first with `published_at IS NULL DESC`, which only an index on that expression serves.
CREATE INDEX posts_staff_idx
    ON posts (kind, (published_at IS NULL) DESC, published_at DESC, created_at DESC, id DESC);

-- It serves the staff's lists of one status too, so the index of every post by date goes:
-- beside the index of live posts (the same columns, over live posts only), SQLite took it for
-- the readers' lists as often as not, and then read each row, stepping over its bodies, to
-- see its status; a page deep in the list read every row before it.
DROP INDEX posts_all_idx;

-- The search vector is kept by a trigger instead of as a generated column: a generated
-- column is computed again on every update, so a retitle or a status change re-tokenised the
-- whole text. The trigger works only when the title, excerpt or text changed. DROP EXPRESSION
-- keeps every row's vector as it is, so nothing needs to be indexed again.
ALTER TABLE posts ALTER COLUMN search DROP EXPRESSION;

CREATE FUNCTION posts_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT'
        OR NEW.title IS DISTINCT FROM OLD.title
        OR NEW.excerpt IS DISTINCT FROM OLD.excerpt
        OR NEW.plaintext IS DISTINCT FROM OLD.plaintext
    THEN
        -- As the generated column was defined (see the post_search migration).
        NEW.search :=
            setweight(to_tsvector('simple', regexp_replace(NEW.title, '[^[:alnum:]]+', ' ', 'g')), 'A')
            || setweight(to_tsvector('simple', regexp_replace(NEW.excerpt, '[^[:alnum:]]+', ' ', 'g')), 'B')
            || setweight(
                to_tsvector('simple',
                    regexp_replace(left(NEW.plaintext, 250000), '[^[:alnum:]]+', ' ', 'g')),
                'C'
            );
    ELSE
        -- Nothing but this trigger writes the vector.
        NEW.search := OLD.search;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER posts_search BEFORE INSERT OR UPDATE ON posts
    FOR EACH ROW EXECUTE FUNCTION posts_search_vector();

-- lz4 compresses the bodies several times faster than the default (pglz), at about the same
-- size, where the server was built with it (PostgreSQL 14 and later, usually). Values
-- written from now on use it; old ones stay readable as they are.
DO $$
BEGIN
    ALTER TABLE posts ALTER COLUMN markdown SET COMPRESSION lz4,
                      ALTER COLUMN html SET COMPRESSION lz4,
                      ALTER COLUMN plaintext SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value OR syntax_error THEN
    RAISE NOTICE 'lz4 is not available: the bodies stay compressed with pglz';
END
$$;

-- A revision's snapshot is deflated already: storing it out of line as it is spares the
-- server an attempt to compress it again on every write.
ALTER TABLE revisions ALTER COLUMN snapshot SET STORAGE EXTERNAL;
