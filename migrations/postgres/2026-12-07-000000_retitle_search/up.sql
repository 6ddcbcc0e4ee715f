-- A retitle tokenises the new title only. The text's part of the vector (weights B and C) is
-- kept as it was, with ts_filter, and the title's (A) is appended to it: appended, not put in
-- front, because `||` shifts the positions of its right side past the left side's, and the
-- text's positions must not drift further with every retitle (they are capped at 16383, past
-- which phrases cannot be told apart). A phrase within the title, or within the text, matches
-- as before; only the distance between a title word and a text word changes, which ranking
-- weighs a little and matching not at all. A changed excerpt or text is tokenised afresh, in
-- the order the first vector of a post has.
CREATE OR REPLACE FUNCTION posts_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT'
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
    ELSIF NEW.title IS DISTINCT FROM OLD.title THEN
        NEW.search := ts_filter(OLD.search, '{b,c}')
            || setweight(to_tsvector('simple', regexp_replace(NEW.title, '[^[:alnum:]]+', ' ', 'g')), 'A');
    ELSE
        -- Nothing but this trigger writes the vector.
        NEW.search := OLD.search;
    END IF;
    RETURN NEW;
END
$$;
