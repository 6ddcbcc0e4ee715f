-- A number that grows with every committed change to what readers can see, so that a
-- cache of rendered responses (in this instance or any other on the same database) knows
-- when it is stale by reading one row.
CREATE TABLE content_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    generation BIGINT NOT NULL
);
INSERT INTO content_generation (id, generation) VALUES (1, 0);

-- Bumped once per transaction, when it commits (a deferred trigger), so concurrent writers
-- hold the one row's lock only while they commit.
CREATE FUNCTION content_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('folio.content_changed', true) IS DISTINCT FROM 'yes' THEN
        PERFORM set_config('folio.content_changed', 'yes', true);
        UPDATE content_generation SET generation = generation + 1 WHERE id = 1;
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER authors_generation AFTER INSERT OR UPDATE OR DELETE ON authors
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION content_changed();
CREATE CONSTRAINT TRIGGER tags_generation AFTER INSERT OR UPDATE OR DELETE ON tags
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION content_changed();
CREATE CONSTRAINT TRIGGER posts_generation AFTER INSERT OR UPDATE OR DELETE ON posts
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION content_changed();
CREATE CONSTRAINT TRIGGER posts_authors_generation AFTER INSERT OR UPDATE OR DELETE ON posts_authors
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION content_changed();
CREATE CONSTRAINT TRIGGER posts_tags_generation AFTER INSERT OR UPDATE OR DELETE ON posts_tags
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION content_changed();
CREATE CONSTRAINT TRIGGER post_slugs_generation AFTER INSERT OR UPDATE OR DELETE ON post_slugs
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION content_changed();
