DROP TRIGGER authors_generation ON authors;
DROP TRIGGER tags_generation ON tags;
DROP TRIGGER posts_generation ON posts;
DROP TRIGGER posts_authors_generation ON posts_authors;
DROP TRIGGER posts_tags_generation ON posts_tags;
DROP TRIGGER post_slugs_generation ON post_slugs;
DROP FUNCTION content_changed();
DROP TABLE content_generation;
