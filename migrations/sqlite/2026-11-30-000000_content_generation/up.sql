-- A number that grows with every committed change to what readers can see, so that a
-- cache of rendered responses (in this instance or any other on the same database) knows
-- when it is stale by reading one row.
CREATE TABLE content_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    generation BIGINT NOT NULL
);
INSERT INTO content_generation (id, generation) VALUES (1, 0);

-- Writers are serialised on SQLite anyway, so bumping on every row costs no concurrency.
CREATE TRIGGER authors_insert_generation AFTER INSERT ON authors
BEGIN
    UPDATE content_generation SET generation = generation + 1;
END;
CREATE TRIGGER authors_update_generation AFTER UPDATE ON authors
BEGIN
    UPDATE content_generation SET generation = generation + 1;
END;
CREATE TRIGGER authors_delete_generation AFTER DELETE ON authors
BEGIN
    UPDATE content_generation SET generation = generation + 1;
END;
CREATE TRIGGER tags_insert_generation AFTER INSERT ON tags
BEGIN
    UPDATE content_generation SET generation = generation + 1;
END;
CREATE TRIGGER tags_update_generation AFTER UPDATE ON tags
BEGIN
    UPDATE content_generation SET generation = generation + 1;
END;
CREATE TRIGGER tags_delete_generation AFTER DELETE ON tags
BEGIN
    UPDATE content_generation SET generation = generation + 1;
END;
CREATE TRIGGER posts_insert_generation AFTER INSERT ON posts
BEGIN
    UPDATE content_generation SET generation = generation + 1;
END;
CREATE TRIGGER posts_update_generation AFTER UPDATE ON posts
BEGIN
    UPDATE content_generation SET generation = generation + 1;
END;
CREATE TRIGGER posts_delete_generation AFTER DELETE ON posts
BEGIN
    UPDATE content_generation SET generation = generation + 1;
END;
CREATE TRIGGER posts_authors_insert_generation AFTER INSERT ON posts_authors
BEGIN
    UPDATE content_generation SET generation = generation + 1;
END;
CREATE TRIGGER posts_authors_update_generation AFTER UPDATE ON posts_authors
BEGIN
    UPDATE content_generation SET generation = generation + 1;
END;
CREATE TRIGGER posts_authors_delete_generation AFTER DELETE ON posts_authors
BEGIN
    UPDATE content_generation SET generation = generation + 1;
END;
CREATE TRIGGER posts_tags_insert_generation AFTER INSERT ON posts_tags
BEGIN
    UPDATE content_generation SET generation = generation + 1;
END;
CREATE TRIGGER posts_tags_update_generation AFTER UPDATE ON posts_tags
BEGIN
    UPDATE content_generation SET generation = generation + 1;
END;
CREATE TRIGGER posts_tags_delete_generation AFTER DELETE ON posts_tags
BEGIN
    UPDATE content_generation SET generation = generation + 1;
END;
CREATE TRIGGER post_slugs_insert_generation AFTER INSERT ON post_slugs
BEGIN
    UPDATE content_generation SET generation = generation + 1;
END;
CREATE TRIGGER post_slugs_update_generation AFTER UPDATE ON post_slugs
BEGIN
    UPDATE content_generation SET generation = generation + 1;
END;
CREATE TRIGGER post_slugs_delete_generation AFTER DELETE ON post_slugs
BEGIN
    UPDATE content_generation SET generation = generation + 1;
END;
