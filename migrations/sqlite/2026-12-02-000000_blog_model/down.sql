-- Back to posts alone: pages, the new fields, settings, revisions and previews are dropped.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
DROP TABLE preview_tokens;
DROP TABLE revisions;
DROP TABLE settings;
DROP TABLE posts_meta;
DELETE FROM posts WHERE kind = 'page';

CREATE TABLE posts_old (
    id               TEXT PRIMARY KEY NOT NULL,
    slug             TEXT NOT NULL UNIQUE,
    title            TEXT NOT NULL,
    markdown         TEXT NOT NULL,
    html             TEXT NOT NULL,
    plaintext        TEXT NOT NULL,
    custom_excerpt   TEXT,
    excerpt          TEXT NOT NULL,
    reading_time     INTEGER NOT NULL,
    feature_image    TEXT,
    featured         BOOLEAN NOT NULL DEFAULT FALSE,
    status           TEXT NOT NULL CHECK (status IN ('draft', 'scheduled', 'published')),
    published_at     TIMESTAMP,
    meta_title       TEXT,
    meta_description TEXT,
    canonical_url    TEXT,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL,
    version          BIGINT NOT NULL DEFAULT 1
);
INSERT INTO posts_old (
    rowid, id, slug, title, markdown, html, plaintext, custom_excerpt, excerpt, reading_time,
    feature_image, featured, status, published_at, meta_title, meta_description,
    canonical_url, created_at, updated_at, version
)
SELECT rowid, id, slug, title, markdown, html, plaintext, custom_excerpt, excerpt,
    reading_time, feature_image, featured, status, published_at, meta_title,
    meta_description, canonical_url, created_at, updated_at, version
FROM posts;
DROP TABLE posts;
ALTER TABLE posts_old RENAME TO posts;
CREATE INDEX posts_live_idx ON posts (published_at DESC, created_at DESC, id DESC)
    WHERE status IN ('published', 'scheduled');
CREATE INDEX posts_all_idx ON posts (published_at DESC, created_at DESC, id DESC);
CREATE TRIGGER posts_fts_insert AFTER INSERT ON posts BEGIN
    INSERT INTO posts_fts (rowid, title, excerpt, plaintext)
    VALUES (new.rowid, new.title, new.excerpt, new.plaintext);
END;
CREATE TRIGGER posts_fts_delete AFTER DELETE ON posts BEGIN
    INSERT INTO posts_fts (posts_fts, rowid, title, excerpt, plaintext)
    VALUES ('delete', old.rowid, old.title, old.excerpt, old.plaintext);
END;
CREATE TRIGGER posts_fts_update AFTER UPDATE OF title, excerpt, plaintext ON posts BEGIN
    INSERT INTO posts_fts (posts_fts, rowid, title, excerpt, plaintext)
    VALUES ('delete', old.rowid, old.title, old.excerpt, old.plaintext);
    INSERT INTO posts_fts (rowid, title, excerpt, plaintext)
    VALUES (new.rowid, new.title, new.excerpt, new.plaintext);
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
INSERT INTO posts_fts (posts_fts) VALUES ('rebuild');

CREATE TABLE post_slugs_old (
    slug       TEXT PRIMARY KEY NOT NULL,
    post_id    TEXT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL
);
INSERT INTO post_slugs_old (slug, post_id, created_at)
SELECT slug, post_id, created_at FROM post_slugs WHERE kind = 'post';
DROP TABLE post_slugs;
ALTER TABLE post_slugs_old RENAME TO post_slugs;
CREATE INDEX post_slugs_post_idx ON post_slugs (post_id);
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

ALTER TABLE tags DROP COLUMN visibility;
ALTER TABLE tags DROP COLUMN feature_image;
ALTER TABLE tags DROP COLUMN accent_color;
ALTER TABLE tags DROP COLUMN meta_title;
ALTER TABLE tags DROP COLUMN meta_description;
ALTER TABLE tags DROP COLUMN og_image;
ALTER TABLE tags DROP COLUMN og_title;
ALTER TABLE tags DROP COLUMN og_description;
ALTER TABLE tags DROP COLUMN twitter_image;
ALTER TABLE tags DROP COLUMN twitter_title;
ALTER TABLE tags DROP COLUMN twitter_description;
ALTER TABLE tags DROP COLUMN canonical_url;
ALTER TABLE tags DROP COLUMN codeinjection_head;
ALTER TABLE tags DROP COLUMN codeinjection_foot;
ALTER TABLE authors DROP COLUMN cover_image;
ALTER TABLE authors DROP COLUMN meta_title;
ALTER TABLE authors DROP COLUMN meta_description;
ALTER TABLE authors DROP COLUMN twitter;
ALTER TABLE authors DROP COLUMN facebook;
ALTER TABLE authors DROP COLUMN mastodon;
ALTER TABLE authors DROP COLUMN bluesky;
ALTER TABLE authors DROP COLUMN threads;
ALTER TABLE authors DROP COLUMN linkedin;
ALTER TABLE authors DROP COLUMN instagram;
ALTER TABLE authors DROP COLUMN youtube;
ALTER TABLE authors DROP COLUMN tiktok;
COMMIT;
PRAGMA foreign_keys = ON;
