DROP TRIGGER posts_rank_update ON posts;
DROP TRIGGER posts_rank_insert ON posts;
DROP FUNCTION posts_keep_rank();
DROP TABLE post_search_ranks;
DROP FUNCTION posts_rank_vector(TEXT, TEXT);
CREATE OR REPLACE FUNCTION posts_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT'
        OR NEW.title IS DISTINCT FROM OLD.title
        OR NEW.excerpt IS DISTINCT FROM OLD.excerpt
        OR NEW.plaintext IS DISTINCT FROM OLD.plaintext
    THEN
        NEW.search :=
            setweight(to_tsvector('simple', regexp_replace(NEW.title, '[^[:alnum:]]+', ' ', 'g')), 'A')
            || setweight(to_tsvector('simple', regexp_replace(NEW.excerpt, '[^[:alnum:]]+', ' ', 'g')), 'B')
            || setweight(
                to_tsvector('simple',
                    regexp_replace(left(NEW.plaintext, 250000), '[^[:alnum:]]+', ' ', 'g')),
                'C'
            );
    ELSE
        NEW.search := OLD.search;
    END IF;
    RETURN NEW;
END
$$;
DROP FUNCTION posts_words(TEXT, "char");
