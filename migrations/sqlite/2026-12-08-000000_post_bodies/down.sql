-- The bodies go back into posts, and the search index back to reading them from there.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

CREATE TABLE posts_old (
    id                 TEXT PRIMARY KEY NOT NULL,
    kind               TEXT NOT NULL CHECK (kind IN ('post', 'page')),
    uuid               TEXT NOT NULL UNIQUE,
    slug               TEXT NOT NULL,
    title              TEXT NOT NULL,
    markdown           TEXT NOT NULL,
    html               TEXT NOT NULL,
    plaintext          TEXT NOT NULL,
    custom_excerpt     TEXT,
    excerpt            TEXT NOT NULL,
    reading_time       INTEGER NOT NULL,
    feature_image      TEXT,
    featured           BOOLEAN NOT NULL DEFAULT FALSE,
    status             TEXT NOT NULL CHECK (status IN ('draft', 'scheduled', 'published')),
    visibility         TEXT NOT NULL CHECK (visibility IN ('public', 'members', 'paid')),
    published_at       TIMESTAMP,
    meta_title         TEXT,
    meta_description   TEXT,
    canonical_url      TEXT,
    codeinjection_head TEXT,
    codeinjection_foot TEXT,
    custom_template    TEXT,
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL,
    version            BIGINT NOT NULL DEFAULT 1,
    UNIQUE (kind, slug)
);
INSERT INTO posts_old (
    rowid, id, kind, uuid, slug, title, markdown, html, plaintext, custom_excerpt, excerpt,
    reading_time, feature_image, featured, status, visibility, published_at, meta_title,
    meta_description, canonical_url, codeinjection_head, codeinjection_foot, custom_template,
    created_at, updated_at, version
)
SELECT
    p.rowid, p.id, p.kind, p.uuid, p.slug, p.title, b.markdown, b.html, b.plaintext,
    p.custom_excerpt, p.excerpt, p.reading_time, p.feature_image, p.featured, p.status,
    p.visibility, p.published_at, p.meta_title, p.meta_description, p.canonical_url,
    p.codeinjection_head, p.codeinjection_foot, p.custom_template, p.created_at,
    p.updated_at, p.version
FROM posts p JOIN post_bodies b ON b.post_id = p.id;

DROP TABLE post_bodies;
DROP TABLE posts;
ALTER TABLE posts_old RENAME TO posts;

CREATE INDEX posts_live_idx ON posts (kind, published_at DESC, created_at DESC, id DESC)
    WHERE status IN ('published', 'scheduled');
CREATE INDEX posts_scheduled_idx ON posts (published_at) WHERE status = 'scheduled';
CREATE INDEX posts_addresses_idx
    ON posts (kind, published_at DESC, id DESC, slug, uuid, updated_at, canonical_url, status)
    WHERE status IN ('published', 'scheduled');
CREATE INDEX posts_staff_idx
    ON posts (kind, (published_at IS NULL) DESC, published_at DESC, created_at DESC, id DESC);

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

DROP TABLE posts_fts;
CREATE VIRTUAL TABLE posts_fts USING fts5 (
    title,
    excerpt,
    plaintext,
    content = 'posts',
    content_rowid = 'rowid',
    tokenize = 'unicode61 remove_diacritics 2'
);
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
INSERT INTO posts_fts (posts_fts) VALUES ('rebuild');

CREATE TEMP TABLE rebuilt_keys_hold (violations INTEGER CHECK (violations = 0));
INSERT INTO rebuilt_keys_hold SELECT count(*) FROM pragma_foreign_key_check;
DROP TABLE rebuilt_keys_hold;

COMMIT;
PRAGMA foreign_keys = ON;
